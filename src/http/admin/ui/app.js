// The console's shell: reads the session, draws the page named in the address (#/cau-hoi, #/hoi-dap/…), signs out.
import { announcementsPage } from './announcements.js';
import { api, setCsrfToken } from './api.js';
import { articlesPage } from './articles.js';
import { auditPage } from './audit.js';
import { h, statusLine } from './dom.js';
import { faqPage } from './faq.js';
import { statsPage } from './stats.js';
import { ticketsPage } from './tickets.js';

const PAGES = {
  'cau-hoi': ticketsPage,
  'hoi-dap': faqPage,
  'thong-bao': announcementsPage,
  'bai-viet': articlesPage,
  'thong-ke': statsPage,
  'nhat-ky': auditPage,
};
const ROLES = { admin: 'quản trị viên', staff: 'cán bộ' };

const main = document.getElementById('main');

/** Draw the page of the current address into a fresh section; a page left before it finishes draws nowhere. */
function route() {
  const [name = '', ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = PAGES[name] ? name : 'cau-hoi';
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const section = h('section', { 'aria-live': 'polite' });
  main.replaceChildren(section);
  const status = statusLine();
  Promise.resolve()
    .then(() => PAGES[page](section, params))
    .catch((err) => {
      status.error(err);
      section.append(status.el);
    })
    .finally(() => {
      const heading = section.querySelector('h1');
      if (heading && document.activeElement?.closest('nav')) {
        heading.tabIndex = -1;
        heading.focus();
      }
    });
}

async function start() {
  document.getElementById('skip').addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  const status = statusLine();
  document.getElementById('logout').addEventListener('click', async (event) => {
    event.currentTarget.disabled = true;
    try {
      await api('POST', 'logout', {});
    } catch {
      // Signed out either way: the server no longer accepts the session, or it never did.
    }
    location.assign('/admin/');
  });
  try {
    const { user, csrfToken } = await api('GET', 'session');
    setCsrfToken(csrfToken);
    document.getElementById('who').textContent = `${user.name} · ${ROLES[user.role] ?? user.role}`;
  } catch (err) {
    main.replaceChildren(status.el);
    status.error(err);
    return;
  }
  window.addEventListener('hashchange', route);
  route();
}

start();
