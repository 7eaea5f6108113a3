// Thông báo: compose an announcement, preview it on both platforms, choose its audience, send now or at a time,
// and follow each broadcast's progress and report.
import { api } from './api.js';
import { busy, debounce, field, h, num, statusLine, when } from './dom.js';

const BROADCAST = { queued: 'Đang chờ gửi', running: 'Đang gửi', done: 'Đã gửi xong', finished: 'Đã gửi xong', cancelled: 'Đã hủy', failed: 'Lỗi' };
const ANNOUNCEMENT = { scheduled: 'Hẹn giờ', sent: 'Đã gửi', sending: 'Đang gửi', cancelled: 'Đã hủy' };
/** How often the list refreshes while a broadcast runs, in ms. */
const POLL_MS = 3000;

/** `2026-12-25T08:00` typed in Vietnam time → an ISO time with its offset. */
const vietnamTime = (local) => `${local.length === 16 ? `${local}:00` : local}+07:00`;

/** The page: the form with its previews, then the announcements newest first. */
export async function announcementsPage(section) {
  const status = statusLine();
  const list = h('ul', { class: 'list', 'aria-label': 'Các thông báo' });
  const formSlot = h('div');
  section.append(h('h1', {}, 'Thông báo'), formSlot, h('h2', {}, 'Đã gửi và hẹn giờ'), status.el, list);
  let timer;

  async function load() {
    clearTimeout(timer);
    const data = await busy(null, status, () => api('GET', 'announcements'));
    if (!data) return undefined;
    const items = data.announcements ?? [];
    const topics = new Map((data.catalogue?.topics ?? []).map((t) => [t.id, t.label]));
    list.replaceChildren(...(items.length ? items.map((a) => card(a, topics)) : [h('li', { class: 'muted' }, 'Chưa có thông báo nào.')]));
    // Keep following running broadcasts while the page is shown.
    if (items.some((a) => a.broadcast && !['done', 'finished', 'cancelled', 'failed'].includes(a.broadcast.status)) && section.isConnected)
      timer = setTimeout(load, POLL_MS);
    return data;
  }

  const data = await load();
  formSlot.replaceChildren(composeForm(data?.catalogue ?? { topics: [], provinces: [] }, status, load));
}

/** One announcement: its text (the title is its first line), audience, times and the broadcast's progress. */
function card(a, topicLabels) {
  const b = a.broadcast;
  const body = a.title && a.text.startsWith(a.title) ? a.text.slice(a.title.length).trim() : a.text;
  const done = b ? (b.sent ?? 0) + (b.failed ?? 0) + (b.blocked ?? 0) : 0;
  return h(
    'li',
    { class: 'card announcement' },
    h(
      'h3',
      {},
      a.title || '(không tiêu đề)',
      h('span', { class: 'badge' }, b ? (BROADCAST[b.status] ?? b.status) : (ANNOUNCEMENT[a.status] ?? a.status ?? '')),
    ),
    body ? h('p', { class: 'text' }, body) : null,
    h(
      'p',
      { class: 'muted' },
      `Tạo lúc ${when(a.createdAt)}`,
      a.scheduledAt ? ` · gửi lúc ${when(a.scheduledAt)}` : '',
      ` · chủ đề: ${(a.topics ?? []).map((id) => topicLabels.get(id) ?? id).join(', ') || 'tất cả'}`,
      ` · tỉnh, thành: ${(a.provinces ?? []).join(', ') || 'cả nước'}`,
    ),
    b
      ? h(
          'div',
          {},
          h('progress', { max: String(Math.max(b.total ?? 0, 1)), value: String(done), 'aria-label': `Tiến độ gửi thông báo ${a.id}` }),
          h('p', { class: 'report' }, `Đã gửi ${num(b.sent)}/${num(b.total)} · không gửi được ${num(b.failed)} · bị chặn ${num(b.blocked)}`),
        )
      : null,
  );
}

function composeForm(catalogue, listStatus, reload) {
  const title = h('input', { maxlength: '160' });
  const text = h('textarea', { required: true, maxlength: '4000' });
  const sendAt = h('input', { type: 'datetime-local' });
  const topics = catalogue.topics.map((t) => h('input', { type: 'checkbox', value: t.id }));
  const provinces = catalogue.provinces.map((p) => h('input', { type: 'checkbox', value: p }));
  const telegram = h('pre', { class: 'preview', 'data-platform': 'telegram' });
  const zalo = h('pre', { class: 'preview', 'data-platform': 'zalo' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Gửi ngay');
  const status = statusLine();
  const body = () => ({
    title: title.value.trim() || undefined,
    text: text.value,
    sendAt: sendAt.value ? vietnamTime(sendAt.value) : undefined,
  });
  const preview = debounce(async () => {
    if (!text.value.trim()) {
      telegram.replaceChildren();
      zalo.replaceChildren();
      return;
    }
    try {
      const p = await api('POST', 'announcements/preview', body());
      telegram.textContent = p.telegram;
      zalo.textContent = p.zalo;
      status.clear();
    } catch (err) {
      status.error(err);
    }
  }, 400);
  for (const input of [title, text, sendAt]) input.addEventListener('input', preview);
  sendAt.addEventListener('input', () => {
    submit.textContent = sendAt.value ? 'Hẹn giờ gửi' : 'Gửi ngay';
  });
  return h(
    'form',
    {
      class: 'card',
      'aria-label': 'Soạn thông báo',
      onsubmit: async (event) => {
        event.preventDefault();
        const chosen = (boxes) => boxes.filter((b) => b.checked).map((b) => b.value);
        const r = await busy(submit, status, () => api('POST', 'announcements', { ...body(), topics: chosen(topics), provinces: chosen(provinces) }));
        if (!r) return;
        listStatus.ok(sendAt.value ? `Đã hẹn giờ gửi lúc ${when(vietnamTime(sendAt.value))}.` : 'Đang gửi thông báo. Tiến độ hiện bên dưới.');
        for (const input of [title, text, sendAt]) input.value = '';
        submit.textContent = 'Gửi ngay';
        telegram.replaceChildren();
        zalo.replaceChildren();
        await reload();
      },
    },
    h('h2', {}, 'Soạn thông báo'),
    field('Tiêu đề', title, 'Không bắt buộc; thành dòng đầu của thông báo.'),
    field('Nội dung', text),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Chủ đề'),
      h('p', { class: 'muted' }, 'Người đăng ký các chủ đề được chọn sẽ nhận. Không chọn: những người nhận mục Thông báo.'),
      catalogue.topics.map((t, i) => h('label', { class: 'inline' }, topics[i], t.label)),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Tỉnh, thành'),
      h('p', { class: 'muted' }, 'Không chọn: cả nước.'),
      h(
        'div',
        { class: 'provinces' },
        catalogue.provinces.map((p, i) => h('label', { class: 'inline' }, provinces[i], p)),
      ),
    ),
    field('Gửi lúc (giờ Việt Nam)', sendAt, 'Bỏ trống để gửi ngay.'),
    h('div', { class: 'previews' }, h('div', {}, h('h3', {}, 'Xem trước trên Telegram'), telegram), h('div', {}, h('h3', {}, 'Xem trước trên Zalo'), zalo)),
    status.el,
    h('div', { class: 'actions' }, submit),
  );
}
