// Thống kê: four charts a leader reads at a glance (Chart.js, served by the bot), each with its table and a CSV file.
import { api } from './api.js';
import { busy, day, field, h, num, statusLine, table } from './dom.js';

const COLORS = { green: '#2e7d32', grey: '#9e9e9e', red: '#c62828', blue: '#1565c0', orange: '#ef6c00', teal: '#00838f' };
const short = (date) => `${date.slice(8, 10)}/${date.slice(5, 7)}`;
let charts = [];

/** A chart card: caption, canvas with a text alternative, the data table (folded) and the CSV link. */
function chartCard(id, title, summary, config, tableNode, days) {
  const canvas = h('canvas', { role: 'img', 'aria-label': `${title}: ${summary}`, 'data-chart': id });
  const card = h(
    'figure',
    { class: 'card', id: `chart-${id}` },
    h('figcaption', {}, title),
    h('p', { class: 'muted' }, summary),
    h('div', { class: 'chart' }, canvas),
    h('details', {}, h('summary', {}, 'Bảng số liệu'), tableNode),
    h('p', {}, h('a', { href: `/admin/api/stats.csv?chart=${id}&days=${days}`, download: `thong-ke-${id}.csv` }, 'Tải về CSV')),
  );
  return { card, draw: () => drawChart(canvas, config) };
}

function drawChart(canvas, config) {
  if (!window.Chart) {
    canvas.replaceWith(h('p', { class: 'error' }, 'Không tải được thư viện biểu đồ; số liệu vẫn có trong bảng bên dưới.'));
    return;
  }
  charts.push(
    new window.Chart(canvas, {
      ...config,
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { position: 'bottom' } },
        ...config.options,
      },
    }),
  );
}

/** The page: the range, the ticket figures, then the four charts. */
export async function statsPage(section) {
  const status = statusLine();
  const range = h(
    'select',
    { onchange: () => load() },
    [7, 30, 90].map((d) => h('option', { value: String(d), selected: d === 30 }, `${d} ngày gần nhất`)),
  );
  const body = h('div');
  section.append(h('h1', {}, 'Thống kê'), h('div', { class: 'row' }, h('div', {}, ...field('Khoảng thời gian', range))), status.el, body);

  async function load() {
    const days = Number(range.value);
    const s = await busy(range, status, () => api('GET', `stats?days=${days}`));
    if (!s) return;
    for (const chart of charts) chart.destroy();
    charts = [];
    const cards = [questions(s, days), tickets(s, days), subscribers(s, days), digest(s, days)];
    body.replaceChildren(figures(s), ...cards.map((c) => c.card));
    for (const c of cards) c.draw();
  }
  await load();
}

function figures(s) {
  const t = s.tickets;
  const answered = s.days.reduce((n, d) => n + d.answered, 0);
  // A question is answered or gets "no information"; tickets and curated answers are parts of those.
  const asked = s.days.reduce((n, d) => n + d.answered + d.noInfo, 0);
  return h(
    'div',
    { class: 'figures' },
    h('div', {}, h('strong', {}, num(asked)), 'câu hỏi trong kỳ'),
    h('div', {}, h('strong', {}, asked ? `${Math.round((answered / asked) * 100)}%` : '–'), 'bot trả lời được'),
    h('div', {}, h('strong', {}, num(t.open)), 'câu hỏi chờ cán bộ'),
    h('div', {}, h('strong', {}, t.medianHoursToAnswer === null ? '–' : `${num(t.medianHoursToAnswer, 1)} giờ`), 'thời gian trả lời (trung vị)'),
    h('div', {}, h('strong', {}, t.answeredShare === null ? '–' : `${Math.round(t.answeredShare * 100)}%`), 'câu hỏi chuyển cán bộ đã được trả lời'),
  );
}

function questions(s, days) {
  const rows = s.days;
  const total = rows.reduce((n, d) => n + d.answered + d.noInfo, 0);
  return chartCard(
    'questions',
    'Câu hỏi mỗi ngày',
    `${num(total)} câu hỏi trong ${days} ngày: cột là trả lời được và chưa có thông tin; đường là số chuyển cán bộ và số trả lời từ hỏi đáp.`,
    {
      type: 'bar',
      data: {
        labels: rows.map((d) => short(d.date)),
        datasets: [
          { label: 'Trả lời được', data: rows.map((d) => d.answered), backgroundColor: COLORS.green, stack: 'q' },
          { label: 'Chưa có thông tin', data: rows.map((d) => d.noInfo), backgroundColor: COLORS.grey, stack: 'q' },
          { type: 'line', label: 'Chuyển cán bộ', data: rows.map((d) => d.ticket), borderColor: COLORS.red, backgroundColor: COLORS.red, stack: 't' },
          { type: 'line', label: 'Trả lời từ hỏi đáp', data: rows.map((d) => d.curated), borderColor: COLORS.blue, backgroundColor: COLORS.blue, stack: 'c' },
        ],
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    },
    table(
      'Câu hỏi mỗi ngày',
      ['Ngày', 'Trả lời được', 'Chưa có thông tin', 'Chuyển cán bộ', 'Từ hỏi đáp'],
      rows.map((d) => [day(d.date), d.answered, d.noInfo, d.ticket, d.curated]),
    ),
    days,
  );
}

function tickets(s, days) {
  const rows = s.tickets.hoursToAnswer;
  return chartCard(
    'tickets',
    'Thời gian trả lời câu hỏi chuyển cán bộ',
    `Số câu hỏi cán bộ trả lời mỗi ngày và thời gian trả lời (trung vị, giờ). Đang chờ: ${num(s.tickets.open)}.`,
    {
      type: 'bar',
      data: {
        labels: rows.map((d) => short(d.date)),
        datasets: [
          { label: 'Câu hỏi được trả lời', data: rows.map((d) => d.count), backgroundColor: COLORS.teal, yAxisID: 'y' },
          {
            type: 'line',
            label: 'Thời gian trả lời (giờ)',
            data: rows.map((d) => d.medianHours),
            borderColor: COLORS.orange,
            backgroundColor: COLORS.orange,
            yAxisID: 'hours',
            spanGaps: true,
          },
        ],
      },
      options: {
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 }, position: 'left' },
          hours: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'giờ' } },
        },
      },
    },
    table(
      'Câu hỏi chuyển cán bộ được trả lời mỗi ngày',
      ['Ngày', 'Được trả lời', 'Thời gian trả lời (giờ, trung vị)'],
      rows.map((d) => [day(d.date), d.count, d.medianHours ?? '–']),
    ),
    days,
  );
}

function subscribers(s, days) {
  const rows = s.subscribers;
  const last = rows.at(-1);
  const provinces = last
    ? Object.entries(last.byProvince)
        .sort((a, b) => b[1] - a[1])
        .map(([name, n]) => [name, n])
    : [];
  const { card, draw } = chartCard(
    'subscribers',
    'Người đăng ký nhận bản tin',
    last
      ? `${num(last.total)} người đăng ký ngày ${day(last.date)}: Telegram ${num(last.byChannel.telegram)}, Zalo ${num(last.byChannel.zalo)}.`
      : 'Chưa có số liệu.',
    {
      type: 'line',
      data: {
        labels: rows.map((d) => short(d.date)),
        datasets: [
          { label: 'Tổng', data: rows.map((d) => d.total), borderColor: COLORS.red, backgroundColor: COLORS.red },
          { label: 'Telegram', data: rows.map((d) => d.byChannel.telegram), borderColor: COLORS.blue, backgroundColor: COLORS.blue },
          { label: 'Zalo', data: rows.map((d) => d.byChannel.zalo), borderColor: COLORS.teal, backgroundColor: COLORS.teal },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    },
    h(
      'div',
      {},
      table(
        'Người đăng ký theo kênh',
        ['Ngày', 'Tổng', 'Telegram', 'Zalo'],
        rows.map((d) => [day(d.date), d.total, d.byChannel.telegram, d.byChannel.zalo]),
      ),
      provinces.length ? table(`Theo tỉnh, thành (ngày ${day(last.date)})`, ['Tỉnh, thành', 'Người đăng ký'], provinces) : null,
    ),
    days,
  );
  return { card, draw };
}

function digest(s, days) {
  const rows = s.digest;
  return chartCard(
    'digest',
    'Bản tin đã gửi',
    `${num(rows.reduce((n, d) => n + d.delivered, 0))} bản tin gửi được, ${num(rows.reduce((n, d) => n + d.failed, 0))} không gửi được trong ${days} ngày.`,
    {
      type: 'bar',
      data: {
        labels: rows.map((d) => short(d.date)),
        datasets: [
          { label: 'Đã gửi', data: rows.map((d) => d.delivered), backgroundColor: COLORS.green },
          { label: 'Không gửi được', data: rows.map((d) => d.failed), backgroundColor: COLORS.red },
        ],
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    },
    table(
      'Bản tin mỗi ngày',
      ['Ngày', 'Đã gửi', 'Không gửi được'],
      rows.map((d) => [day(d.date), d.delivered, d.failed]),
    ),
    days,
  );
}
