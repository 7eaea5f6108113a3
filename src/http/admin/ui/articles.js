// Bài viết: the latest imported articles and the sources with their state; import a URL, unpublish an article.
import { api, seg } from './api.js';
import { busy, confirmButton, field, h, statusLine, table, when } from './dom.js';

const STATE = { polling: 'Đang theo dõi', paused: 'Tạm dừng', failing: 'Đang lỗi' };

/** The page: the import form, the sources, the articles. */
export async function articlesPage(section) {
  const status = statusLine();
  const list = h('ul', { class: 'list', 'aria-label': 'Các bài viết mới nhập' });
  const sources = h('div');
  section.append(h('h1', {}, 'Bài viết'), importForm(), h('h2', {}, 'Nguồn'), sources, h('h2', {}, 'Bài mới nhập'), status.el, list);

  async function load() {
    const data = await busy(null, status, () => api('GET', 'articles?limit=50'));
    if (!data) return;
    sources.replaceChildren(
      data.sources?.length
        ? table(
            'Các nguồn bot theo dõi',
            ['Địa chỉ', 'Trạng thái', 'Lần đọc gần nhất', 'Lỗi gần nhất'],
            data.sources.map((s) => [s.url, STATE[s.state] ?? s.state, when(s.lastPolledAt), s.lastError ?? '']),
          )
        : h('p', { class: 'muted' }, 'Chưa có nguồn nào (biến FEEDS).'),
    );
    const articles = data.articles ?? [];
    list.replaceChildren(...(articles.length ? articles.map(card) : [h('li', { class: 'muted' }, 'Chưa có bài nào.')]));
  }

  function card(a) {
    const actions = h('div', { class: 'actions' });
    const unpublish = confirmButton('Gỡ', {
      actions,
      confirmLabel: 'Gỡ bài này',
      onConfirm: async (event) => {
        if (await busy(event.currentTarget, status, () => api('DELETE', `articles/${seg(a.id)}`))) {
          status.ok(`Đã gỡ bài “${a.title}”: bot không dùng bài này để trả lời nữa.`);
          await load();
        }
      },
      restore: () => [unpublish],
    });
    actions.append(unpublish);
    return h(
      'li',
      { class: 'card' },
      h('h3', {}, a.url ? h('a', { href: a.url, target: '_blank', rel: 'noopener noreferrer' }, a.title) : a.title),
      h('p', { class: 'muted' }, [a.source, a.kind, a.publishedAt ? `đăng ${when(a.publishedAt)}` : 'không rõ ngày đăng'].filter(Boolean).join(' · ')),
      actions,
    );
  }

  function importForm() {
    const url = h('input', { type: 'url', required: true, maxlength: '2000', placeholder: 'https://…' });
    const formStatus = statusLine();
    return h(
      'form',
      {
        class: 'card row',
        'aria-label': 'Nhập bài từ đường dẫn',
        onsubmit: async (event) => {
          event.preventDefault();
          const r = await busy(event.submitter, formStatus, () => api('POST', 'articles/import', { url: url.value.trim() }));
          if (!r) return;
          if (!r.ok) return formStatus.error(r.error ?? 'Không nhập được bài này.');
          formStatus.ok(r.title ? `Đã nhập: ${r.title}` : 'Đã đọc nguồn; không có bài mới.');
          url.value = '';
          await load();
        },
      },
      h('div', {}, ...field('Địa chỉ bài viết hoặc nguồn', url, 'Một bài viết, một nguồn RSS/Atom hoặc sơ đồ trang.')),
      h('button', { type: 'submit', class: 'primary' }, 'Nhập'),
      formStatus.el,
    );
  }

  await load();
}
