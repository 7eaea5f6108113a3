// Câu hỏi: the tickets citizens opened. Open ones first (most askers first); open one to answer or close it.
import { api, seg } from './api.js';
import { busy, debounce, field, fill, h, statusLine, when } from './dom.js';

const STATUSES = [
  { id: 'open', label: 'Đang chờ trả lời' },
  { id: 'answered', label: 'Đã trả lời' },
  { id: 'closed', label: 'Đã đóng' },
];
/** How often the list refreshes while it is shown, in ms (new questions arrive on their own). */
const LIST_REFRESH_MS = 30_000;
/** How often an answer's delivery report refreshes while it runs, in ms. */
const DELIVERY_POLL_MS = 2000;
const STATUS_LABEL = { open: 'Đang chờ', answered: 'Đã trả lời', closed: 'Đã đóng' };
let shown = 'open';

const count = (x) => (Array.isArray(x) ? x.length : Number(x ?? 0));

/** "Đã gửi 3/4 · còn chờ 1" for a delivery report. */
function deliveryText(d) {
  if (!d) return '';
  const parts = [`Đã gửi ${count(d.delivered)}/${count(d.total)}`];
  if (count(d.waiting)) parts.push(`còn chờ ${count(d.waiting)}`);
  parts.push(d.finished ? 'đã gửi xong' : 'đang gửi');
  return parts.join(' · ');
}

/** The page: the list, or one ticket when the address names it (#/cau-hoi/12). */
export async function ticketsPage(section, params) {
  if (params[0]) return ticketPage(section, params[0]);
  const status = statusLine();
  const list = h('ul', { class: 'list', 'aria-label': 'Danh sách câu hỏi' }, h('li', { class: 'muted' }, 'Đang tải…'));
  const tabs = h(
    'div',
    { class: 'tabs', role: 'group', 'aria-label': 'Trạng thái' },
    STATUSES.map((s) =>
      h(
        'button',
        {
          type: 'button',
          'aria-pressed': String(s.id === shown),
          onclick: (event) => {
            shown = s.id;
            for (const b of tabs.children) b.setAttribute('aria-pressed', String(b === event.currentTarget));
            list.replaceChildren(h('li', { class: 'muted' }, 'Đang tải…'));
            load(event.currentTarget);
          },
        },
        s.label,
      ),
    ),
  );
  section.append(
    h('h1', {}, 'Câu hỏi của người dân'),
    h('p', { class: 'muted' }, 'Câu hỏi bot chưa trả lời được. Nhiều người hỏi nhất ở trên cùng.'),
    tabs,
    status.el,
    list,
  );
  let timer;
  /** Load the list (a tab's button, or nothing for the first load and the refreshes while the page is shown). */
  async function load(button) {
    clearTimeout(timer);
    if (!section.isConnected) return;
    const data = await busy(button, status, () => api('GET', `tickets?status=${shown}`));
    if (section.isConnected) timer = setTimeout(() => load(), LIST_REFRESH_MS);
    if (!data) return;
    // A refresh does not pull the list from under a keyboard user.
    if (!button && list.contains(document.activeElement)) return;
    const tickets = data.tickets ?? [];
    if (!tickets.length) return list.replaceChildren(h('li', { class: 'muted' }, 'Không có câu hỏi nào ở mục này.'));
    list.replaceChildren(
      ...tickets.map((t) =>
        h(
          'li',
          { class: 'card ticket' },
          h(
            'h2',
            {},
            h('a', { href: `#/cau-hoi/${seg(t.number)}` }, `#${t.number}`),
            h('span', { class: 'badge' }, `${t.askers} người hỏi`),
            h('span', { class: 'badge' }, STATUS_LABEL[t.status] ?? t.status),
          ),
          h('p', { class: 'text wording' }, t.firstWording),
          h('p', { class: 'muted' }, `Hỏi lúc ${when(t.createdAt)}`, t.answeredAt ? ` · trả lời lúc ${when(t.answeredAt)}` : ''),
          t.delivery ? h('p', { class: 'muted delivery' }, deliveryText(t.delivery)) : null,
        ),
      ),
    );
  }
  await load();
}

/** One ticket: every wording and asker, the answer box with both platforms' previews, closing. */
async function ticketPage(section, id) {
  const status = statusLine();
  const body = h('div');
  section.append(h('p', {}, h('a', { href: '#/cau-hoi' }, '← Danh sách câu hỏi')), h('h1', {}, `Câu hỏi #${id}`), status.el, body);

  let timer;
  async function load(notice) {
    clearTimeout(timer);
    const data = await busy(null, status, () => api('GET', `tickets/${seg(id)}`));
    if (!data) return;
    draw(data.ticket);
    if (notice) status.ok(notice);
    // Follow the delivery to every asker while the page is shown.
    if (data.ticket.delivery && !data.ticket.delivery.finished && section.isConnected) timer = setTimeout(() => load(), DELIVERY_POLL_MS);
  }

  function draw(t) {
    const askers = t.askers ?? [];
    fill(
      body,
      h('p', {}, h('span', { class: 'badge' }, STATUS_LABEL[t.status] ?? t.status), ` Mở lúc ${when(t.createdAt)} · ${askers.length} người hỏi`),
      h('h2', {}, 'Các cách hỏi'),
      h(
        'ul',
        { class: 'list askers' },
        askers.map((a) => h('li', { class: 'card' }, h('p', { class: 'text wording' }, a.wording), h('p', { class: 'muted' }, `${a.who} · ${when(a.at)}`))),
      ),
      t.answer
        ? h(
            'div',
            {},
            h('h2', {}, 'Câu trả lời đã gửi'),
            h('div', { class: 'card' }, h('p', { class: 'text answer' }, t.answer.text), h('p', { class: 'muted' }, `${t.answer.by} · ${when(t.answer.at)}`)),
          )
        : null,
      t.delivery ? h('p', { class: 'delivery' }, deliveryText(t.delivery)) : null,
      t.closed ? closedInfo(t.closed) : null,
      t.status === 'open' ? answerForm(askers[0]?.wording ?? '') : null,
      t.status === 'open' ? closeForm() : null,
    );
  }

  function closedInfo(closed) {
    if (typeof closed !== 'object') return h('p', {}, 'Đã đóng.');
    const told = closed.tell ?? closed.told;
    return h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Đã đóng'),
      h('p', { class: 'text' }, closed.reason ? `Lý do: ${closed.reason}` : 'Không ghi lý do.'),
      h('p', { class: 'muted' }, [closed.by, when(closed.at), told ? 'đã báo cho người hỏi' : ''].filter(Boolean).join(' · ')),
    );
  }

  /** The answer box; `firstWording` pre-fills the question a curated entry would be saved with (staff may edit it). */
  function answerForm(firstWording) {
    const text = h('textarea', { maxlength: '4000', required: true });
    const question = h('input', { maxlength: '300', value: firstWording });
    const telegram = h('pre', { class: 'preview', 'data-platform': 'telegram' });
    const zalo = h('pre', { class: 'preview', 'data-platform': 'zalo' });
    const formStatus = statusLine();
    const preview = debounce(async () => {
      if (!text.value.trim()) {
        telegram.replaceChildren();
        zalo.replaceChildren();
        return;
      }
      try {
        const p = await api('POST', `tickets/${seg(id)}/preview`, { text: text.value });
        telegram.textContent = p.telegram;
        zalo.textContent = p.zalo;
      } catch (err) {
        formStatus.error(err);
      }
    }, 350);
    text.addEventListener('input', preview);
    const send = async (event, saveAsFaq) => {
      event.preventDefault();
      if (!text.value.trim()) return formStatus.error('Hãy viết câu trả lời trước khi gửi.');
      if (saveAsFaq && !question.value.trim()) return formStatus.error('Hãy viết câu hỏi sẽ lưu vào hỏi đáp.');
      const body = saveAsFaq ? { text: text.value, saveAsFaq, question: question.value } : { text: text.value, saveAsFaq };
      const result = await busy(event.currentTarget, formStatus, () => api('POST', `tickets/${seg(id)}/answer`, body));
      if (!result) return;
      if (result.faqError) return load(`Đã gửi câu trả lời cho người hỏi, nhưng chưa lưu được thành hỏi đáp: ${result.faqError}`);
      await load(saveAsFaq && result.faqId ? `Đã gửi câu trả lời và lưu thành hỏi đáp #${result.faqId}.` : 'Đã gửi câu trả lời cho người hỏi.');
    };
    return h(
      'form',
      { class: 'card', onsubmit: (event) => send(event, false), 'aria-label': 'Trả lời câu hỏi' },
      h('h2', {}, 'Trả lời'),
      field('Câu trả lời', text, 'Người hỏi nhận đúng như bản xem trước bên dưới.'),
      h('div', { class: 'previews' }, h('div', {}, h('h3', {}, 'Xem trước trên Telegram'), telegram), h('div', {}, h('h3', {}, 'Xem trước trên Zalo'), zalo)),
      field(
        'Câu hỏi lưu vào hỏi đáp',
        question,
        'Chỉ dùng khi chọn “Gửi và lưu thành hỏi đáp”: câu hỏi của mục hỏi đáp, do cán bộ duyệt (sửa lại cho rõ nếu cần). Cách hỏi của người dân được lưu kèm và bị xóa khi họ xóa dữ liệu.',
      ),
      formStatus.el,
      h(
        'div',
        { class: 'actions' },
        h('button', { class: 'primary', type: 'submit' }, 'Gửi'),
        h('button', { type: 'button', onclick: (event) => send(event, true) }, 'Gửi và lưu thành hỏi đáp'),
      ),
    );
  }

  function closeForm() {
    const reason = h('input', { maxlength: '500', placeholder: 'Ví dụ: trùng với câu hỏi #12' });
    const tell = h('input', { type: 'checkbox' });
    const formStatus = statusLine();
    return h(
      'form',
      {
        class: 'card',
        'aria-label': 'Đóng câu hỏi',
        onsubmit: async (event) => {
          event.preventDefault();
          const result = await busy(event.submitter, formStatus, () =>
            api('POST', `tickets/${seg(id)}/close`, { reason: reason.value.trim() || undefined, tell: tell.checked }),
          );
          if (result) await load('Đã đóng câu hỏi.');
        },
      },
      h('h2', {}, 'Đóng mà không trả lời'),
      field('Lý do', reason),
      h('label', { class: 'inline' }, tell, 'Báo cho người hỏi'),
      formStatus.el,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Đóng câu hỏi')),
    );
  }

  await load();
}
