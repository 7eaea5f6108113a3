/**
 * Every word users see, in one place. Functions take data and return Vietnamese text.
 */

const VIETNAM_DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * Format an ISO date as dd/mm/yyyy on Vietnam's calendar; undefined when the date is missing or unreadable.
 *
 * @remarks
 * An instant with a zone ("2026-12-06T19:52:55Z") is shown on the day it is in Vietnam (07/12/2026). A calendar
 * day ("2026-12-06") and a time without a zone (Vietnam time, as the rest of the bot reads it) keep their day.
 */
export function formatDate(iso: string | undefined): string | undefined {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})(.*)$/.exec(iso) : null;
  if (!m) return undefined;
  const at = /(?:z|[+-]\d{2}:?\d{2})$/i.test(m[4]!) ? Date.parse(iso!) : Number.NaN;
  if (Number.isNaN(at)) return `${m[3]}/${m[2]}/${m[1]}`;
  const part = Object.fromEntries(VIETNAM_DAY.formatToParts(at).map((p) => [p.type, p.value]));
  return `${part.day}/${part.month}/${part.year}`;
}

/** A title or name in quotation marks, unless it already holds quotation marks of its own (“Vì người nghèo”). */
export function quoteTitle(title: string): string {
  return /[“”"«»„]/.test(title) ? title : `“${title}”`;
}

/** "Các bài gần nhất …" and the numbered titles, or nothing when there are none. */
function closestTitles(titles: string[]): string[] {
  return titles.length > 0 ? ['Các bài gần nhất với câu hỏi của bạn:', ...titles.map((t, i) => `${i + 1}. ${t}`)] : [];
}

export const messages = {
  greeting:
    'Xin chào! Tôi là trợ lý hỏi đáp của Mặt trận Tổ quốc Việt Nam. Bạn hãy đặt câu hỏi về hoạt động, chương trình, cuộc vận động của Mặt trận, ví dụ: “Quỹ Vì người nghèo là gì?”',
  thanks: 'Rất vui được giúp bạn. Bạn cần hỏi thêm gì cứ nhắn nhé!',
  empty: 'Bạn hãy nhập câu hỏi bằng chữ, ví dụ: “Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?”',
  tooLong: (max: number) => `Tin nhắn dài quá ${max} ký tự nên tôi chưa tìm được. Bạn hãy hỏi ngắn gọn trong một hai câu nhé.`,
  /** The answer: quoted sentences, then the source and its date. */
  answer: (quote: string, title: string, date: string | undefined, url: string | undefined) => {
    const source = date ? `Theo bài ${quoteTitle(title)} (${date}):` : `Theo bài ${quoteTitle(title)}:`;
    return [source, `“${quote}”`, url ? `Nguồn: ${url}` : undefined].filter(Boolean).join('\n');
  },
  /** What a second article adds, after the answer. */
  alsoSaid: (sentence: string, title: string, date: string | undefined) =>
    [`Bài ${quoteTitle(title)}${date ? ` (${date})` : ''} cho biết thêm:`, `“${sentence}”`].join('\n'),
  /** A curated entry's answer (hỏi đáp), whole, as the Front's answer with the date it was last changed. */
  curatedAnswer: (answer: string, date: string) => `Mặt trận trả lời (cập nhật ${date}): ${answer}`,
  programAnswer: (quote: string, name: string, url: string | undefined) =>
    [`Theo thông tin về ${quoteTitle(name)}:`, `“${quote}”`, url ? `Nguồn: ${url}` : undefined].filter(Boolean).join('\n'),
  /** "Hôm nay là thứ mấy?": today's date and the time in Vietnam (weekday 0 = Sunday). */
  today: (weekday: number, date: string, time: string) =>
    `Hôm nay là ${['Chủ nhật', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy'][weekday]}, ngày ${date}; bây giờ là ${time} (giờ Việt Nam).`,
  /** "MTTQ là gì?": what the abbreviation stands for (from the lexicon). */
  abbreviation: (abbr: string, expansions: string[]) => {
    const shown = expansions.map((e) => `“${e.charAt(0).toUpperCase()}${e.slice(1)}”`);
    return shown.length === 1 ? `${abbr} là viết tắt của ${shown[0]}.` : `${abbr} là viết tắt của: ${shown.join(' hoặc ')} (tùy ngữ cảnh).`;
  },
  /** "No information", then the closest titles; the conversation adds one line on what becomes of the question (a ticket). */
  noAnswer: (closest: string[]) => ['Xin lỗi, tôi chưa có thông tin để trả lời câu hỏi này.', ...closestTitles(closest)].join('\n'),
  /** What becomes of an unanswered question where no ticket desk runs: it is recorded for staff. */
  recordedForStaff: 'Câu hỏi đã được ghi lại để cán bộ Mặt trận bổ sung.',
  /** A question about the bot itself ("bot có lưu tin nhắn không") that no curated answer covers; a ticket line follows. */
  aboutBot:
    'Xin lỗi, tôi chưa có thông tin để trả lời câu hỏi này: đây là câu hỏi về chính trợ lý, các bài viết của Mặt trận không nói tới. Gõ /trogiup để xem trợ lý làm được gì.',
  /** A request for a task the bot does not do ("viết giúp tôi một bài thơ", "nhắc tôi 6 giờ sáng mai"). */
  cannotDo:
    'Xin lỗi, tôi chỉ trả lời câu hỏi bằng thông tin trích từ các bài viết và chương trình của Mặt trận; tôi chưa làm được những việc như viết bài, tính toán, dịch hay nhắc lịch. Bạn có thể hỏi, ví dụ: “Quỹ Vì người nghèo là gì?”',
  /** A question about a year ("năm 2026") that no article found is of: the closest ones, with their dates. */
  noInfoForYear: (year: number, closest: string[]) => [`Xin lỗi, tôi chưa có thông tin về năm ${year} cho câu hỏi này.`, ...closestTitles(closest)].join('\n'),
  /** A question about the last or next few days ("ngày mai có mưa không") when every article found is old. */
  noRecentNews: (closest: string[]) =>
    [
      'Xin lỗi, tôi chưa có thông tin cập nhật cho thời điểm bạn hỏi; các bài viết tôi có về nội dung này đều đã đăng từ trước.',
      ...closestTitles(closest),
    ].join('\n'),
  welcome: (name?: string) =>
    [
      `Xin chào${name ? ` ${name}` : ''}! Tôi là trợ lý hỏi đáp của Mặt trận Tổ quốc Việt Nam.`,
      'Bạn có thể hỏi về hoạt động, chương trình phối hợp, cuộc vận động, phong trào của Mặt trận; gõ có dấu hay không dấu đều được. Tôi trả lời bằng câu trích từ bài viết, kèm tên bài, ngày đăng và đường dẫn.',
      'Thử một câu hỏi mẫu bên dưới, hoặc gõ /trogiup để xem các lệnh.',
      'Tôi chỉ lưu đăng ký bản tin và những câu hỏi cần chuyển cán bộ (có thời hạn, rồi tự xóa); gõ /dulieucuatoi để xem, /xoadulieu để xóa.',
    ].join('\n\n'),
  help: [
    'Các lệnh:',
    '/moi – tin mới nhất',
    '/chuongtrinh [tỉnh hoặc năm] – các chương trình, cuộc vận động, phong trào (ví dụ: /chuongtrinh Quảng Trị, /chuongtrinh 2022)',
    '/tim <từ khóa> – tìm bài viết (ví dụ: /tim nhà Đại đoàn kết)',
    '/dangky – đăng ký nhận bản tin hằng ngày (chọn chủ đề, tỉnh, giờ nhận)',
    '/caidat – xem và đổi cài đặt bản tin',
    '/bantin – xem bản tin hôm nay ngay bây giờ',
    '/huydangky – hủy nhận bản tin',
    '/hoicanbo <câu hỏi> – gửi câu hỏi tới cán bộ Mặt trận; câu trả lời sẽ được gửi tới bạn tại đây',
    '/cauhoicuatoi – các câu hỏi bạn đã gửi và câu trả lời',
    '/dulieucuatoi – xem dữ liệu của bạn mà tôi đang lưu',
    '/xoadulieu – xóa dữ liệu của bạn',
    '/trogiup – hướng dẫn này',
    '',
    'Hoặc gõ thẳng câu hỏi, ví dụ: “Quỹ Vì người nghèo là gì?”. Hỏi tiếp “còn Gia Lai thì sao?” để hỏi cùng câu cho tỉnh khác.',
  ].join('\n'),
  unknownCommand: (command: string) => `Tôi chưa hiểu lệnh ${command}.`,
  flood: 'Bạn gửi nhanh quá, vui lòng đợi khoảng một phút rồi hỏi tiếp nhé.',
  latestTitle: 'Tin mới nhất:',
  latestNone: 'Hiện chưa có tin nào có ngày đăng.',
  programsTitle: (filter?: string) =>
    filter ? `Chương trình, cuộc vận động, phong trào (${filter}):` : 'Chương trình, cuộc vận động, phong trào của Mặt trận:',
  programsNone: (filter: string) => `Chưa có chương trình nào khớp với ${quoteTitle(filter)}. Gõ /chuongtrinh để xem tất cả.`,
  searchUsage: 'Gõ từ khóa sau lệnh, ví dụ: /tim Vì người nghèo',
  searchTitle: (query: string, from: number, to: number, total: number) => `Kết quả cho ${quoteTitle(query)} (${from}–${to} trong ${total}):`,
  searchNone: (query: string) => `Không tìm thấy bài nào cho ${quoteTitle(query)}. Bạn thử từ khóa khác nhé.`,
  searchEnd: 'Đã hết kết quả.',
  more: 'Xem thêm',
  feedbackUp: '👍 Hữu ích',
  feedbackDown: '👎 Chưa đúng',
  feedbackThanks: 'Cảm ơn bạn đã góp ý! Ý kiến đã được ghi lại cho cán bộ Mặt trận.',
  expired: 'Lựa chọn này đã hết hạn. Bạn hãy hỏi lại nhé.',
  didYouMean: 'Có phải bạn muốn hỏi:',
  listItem: (n: number, title: string, date?: string) => `${n}. ${title}${date ? ` (${date})` : ''}`,
  listHint: 'Gõ số thứ tự để đọc tóm tắt bài.',
  card: (title: string, date: string | undefined, summary: string) => [`${title}${date ? ` (${date})` : ''}`, summary].filter(Boolean).join('\n\n'),
  textOnly: 'Hiện tôi chỉ đọc được tin nhắn chữ. Bạn hãy gõ câu hỏi nhé.',
  storeDown: 'Xin lỗi, hệ thống đang bận nên chưa lưu được góp ý của bạn. Bạn thử lại sau ít phút nhé.',
  storeBusy: 'Xin lỗi, hệ thống đang bận nên chưa lưu được yêu cầu của bạn. Bạn thử lại sau ít phút nhé.',
  /** A command that needs the store while the store is unavailable (answered at once; questions still are). */
  storeUnavailable: 'Hệ thống đang bận, bạn thử lại sau ít phút.',
  /** A request typed in words that would change the settings ("tôi muốn nhận bản tin", "hủy nhận tin"): asked first. */
  confirmRequest: {
    dangky: {
      question:
        'Bạn muốn đăng ký nhận bản tin hằng ngày của Mặt trận? Sau khi đăng ký, bạn chọn được chủ đề, tỉnh, thành và giờ nhận; gõ /huydangky để hủy bất cứ lúc nào.',
      yes: 'Đăng ký nhận bản tin',
    },
    huydangky: {
      question: 'Bạn muốn hủy nhận bản tin hằng ngày của Mặt trận? Sau khi hủy, bạn sẽ không nhận bản tin nữa; gõ /dangky khi muốn nhận lại.',
      yes: 'Hủy nhận bản tin',
    },
  } as Record<string, { question: string; yes: string }>,
  requestNo: 'Không, giữ nguyên',
  requestKept: 'Vâng, tôi giữ nguyên như cũ. Bạn cần gì cứ nhắn nhé.',
  /** "Tôi muốn gặp cán bộ": the message is recorded for staff (the /cauhoi inbox). */
  staffRequested:
    'Hiện cán bộ Mặt trận chưa trò chuyện trực tiếp qua đây được; tôi đã ghi lại tin nhắn của bạn để cán bộ xem. Bạn hãy gõ câu hỏi cụ thể: câu nào tôi chưa trả lời được cũng sẽ được ghi lại để cán bộ Mặt trận bổ sung.',
} as const;

/** Zalo bots have no buttons: what stands in for them. */
export const zaloText = {
  /** Under a numbered list of choices. */
  chooseByNumber: 'Trả lời bằng số thứ tự (1, 2, …) để chọn.',
  /** Stands in for the 👍/👎 buttons. */
  feedbackHint: 'Câu trả lời có hữu ích không? Gõ 👍 hoặc 👎 để góp ý.',
  /** Stands in for the "Xem thêm" button of a result list. */
  moreHint: 'Gõ “thêm” để xem tiếp.',
} as const;

/** The command menu (Telegram's "/" list): ASCII commands, Vietnamese descriptions. */
export const commandMenu = [
  { command: 'start', description: 'Bắt đầu và xem câu hỏi mẫu' },
  { command: 'trogiup', description: 'Hướng dẫn sử dụng' },
  { command: 'moi', description: 'Tin mới nhất' },
  { command: 'chuongtrinh', description: 'Chương trình, cuộc vận động (lọc theo tỉnh hoặc năm)' },
  { command: 'tim', description: 'Tìm bài viết theo từ khóa' },
  { command: 'dangky', description: 'Đăng ký nhận bản tin hằng ngày' },
  { command: 'caidat', description: 'Cài đặt bản tin: chủ đề, tỉnh, giờ nhận' },
  { command: 'bantin', description: 'Xem bản tin hôm nay' },
  { command: 'huydangky', description: 'Hủy nhận bản tin' },
  { command: 'dulieucuatoi', description: 'Xem dữ liệu của bạn mà bot đang lưu' },
  { command: 'xoadulieu', description: 'Xóa dữ liệu của bạn' },
];

/** Names of the digest topics (ids in digest/topics.ts). */
export const topicLabels: Record<string, string> = {
  'mat-tran': 'Hoạt động Mặt trận',
  'an-sinh': 'An sinh xã hội – Vì người nghèo',
  'dai-doan-ket': 'Đại đoàn kết',
  'giam-sat': 'Giám sát và phản biện xã hội',
  'phoi-hop': 'Chương trình phối hợp',
  'thong-bao': 'Thông báo',
};

const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

/** The daily digest and the subscription flow. */
export const digestText = {
  digestTitle: (date: string, count: number) => `📰 Bản tin Mặt trận Tổ quốc ngày ${date}\n${count} tin mới theo lựa chọn của bạn.`,
  digestItem: (title: string, date?: string) => `• ${title}${date ? ` (${date})` : ''}`,
  digestMore: (rest: number) => `Còn ${rest} tin khác: gõ /moi để xem tin mới nhất hoặc /tim <từ khóa> để tìm.`,
  digestFooter: 'Gõ /caidat để đổi chủ đề, tỉnh, giờ nhận; /huydangky để hủy đăng ký.',
  digestEmpty: 'Hôm nay chưa có tin mới nào theo lựa chọn của bạn. Gõ /moi để xem các tin gần nhất.',
  subscribed: 'Bạn đã đăng ký nhận bản tin hằng ngày của Mặt trận. Bạn có thể chọn chủ đề, tỉnh/thành và giờ nhận bên dưới.',
  alreadySubscribed: 'Bạn đã đăng ký rồi. Đây là cài đặt hiện tại:',
  noPush: 'Bản tin hằng ngày được gửi qua Telegram và Zalo. Ở đây bạn gõ /bantin để xem bản tin hôm nay.',
  notSubscribed: 'Bạn chưa đăng ký nhận bản tin. Gõ /dangky để đăng ký.',
  unsubscribed: 'Bạn đã hủy đăng ký bản tin. Khi nào muốn nhận lại, gõ /dangky nhé.',
  settings: (s: { topics: string[]; provinces: string[]; hour: number; paused: boolean }) =>
    [
      'Cài đặt bản tin của bạn:',
      `• Chủ đề: ${s.topics.length ? s.topics.map((t) => topicLabels[t] ?? t).join('; ') : 'tất cả'}`,
      `• Tỉnh, thành: ${s.provinces.length ? s.provinces.join(', ') : 'cả nước'}`,
      `• Giờ nhận: ${hourLabel(s.hour)} hằng ngày (giờ Việt Nam)`,
      `• Trạng thái: ${s.paused ? 'đang tạm dừng' : 'đang nhận'}`,
    ].join('\n'),
  chooseTopics: 'Chọn chủ đề bạn muốn nhận (bấm để bật/tắt), rồi bấm “Xong”:',
  chooseProvinces:
    'Gõ tên tỉnh, thành bạn quan tâm (nhiều tỉnh cách nhau bằng dấu phẩy; tên cũ trước sáp nhập cũng được), ví dụ: Quảng Trị, Huế. Hoặc chọn “Cả nước”.',
  provincesUnknown: (text: string) => `Tôi chưa nhận ra tỉnh, thành nào trong ${quoteTitle(text)}. Bạn gõ lại tên tỉnh, ví dụ: Quảng Trị, hoặc chọn “Cả nước”.`,
  provincesSet: (names: string[], merged: string[]) => `Đã chọn: ${names.join(', ')}.${merged.length ? ` (${merged.join('; ')})` : ''}`,
  provinceMerged: (old: string, now: string) => `${old} nay thuộc ${now}`,
  chooseHour: 'Bạn muốn nhận bản tin lúc mấy giờ? Chọn bên dưới hoặc gõ giờ, ví dụ: 6h, 19:00.',
  hourUnknown: 'Tôi chưa hiểu giờ bạn gõ. Bạn gõ một giờ từ 0 đến 23, ví dụ: 7h hoặc 19:00.',
  paused: 'Đã tạm dừng bản tin. Gõ /caidat và chọn “Tiếp tục nhận” khi muốn nhận lại.',
  resumed: 'Đã bật lại bản tin.',
  saved: 'Đã lưu.',
  buttonTopics: 'Chọn chủ đề',
  buttonProvinces: 'Chọn tỉnh, thành',
  buttonHour: 'Đổi giờ nhận',
  buttonPause: 'Tạm dừng',
  buttonResume: 'Tiếp tục nhận',
  buttonAllTopics: 'Tất cả chủ đề',
  buttonAllProvinces: 'Cả nước',
  buttonDone: 'Xong',
  hourButton: hourLabel,
  topicToggle: (label: string, on: boolean) => `${on ? '✅' : '⬜'} ${label}`,
} as const;

/** Staff commands: roles, announcements, the question inbox, statistics, the audit log. */
export const staffText = {
  staffHelp: [
    'Lệnh cho cán bộ:',
    '/thongbao <nội dung> – soạn thông báo, xem trước rồi gửi ngay hoặc hẹn giờ',
    '/cauhoi [số] – câu hỏi chờ cán bộ trả lời; /cauhoi phanhoi – câu bot trả lời chưa chắc hoặc bị đánh giá 👎',
    '/traloi <số> <nội dung> – trả lời một câu hỏi: xem trước rồi gửi tới mọi người đã hỏi',
    '/dongcauhoi <số> [lý do] – đóng câu hỏi không trả lời',
    '/thongke – thống kê người đăng ký, câu hỏi, bản tin',
    '/nhatky [số] – nhật ký thao tác',
    '/nhapbai <đường dẫn> – nhập bài viết, chuyên mục, RSS hoặc sitemap',
    '/xoabai <mã bài> – gỡ một bài khỏi tìm kiếm và bản tin',
  ].join('\n'),
  adminHelp: '/capquyen <kênh:mã>, /thuhoiquyen <kênh:mã> – cấp, thu hồi quyền cán bộ',
  denied: 'Lệnh này chỉ dành cho cán bộ Mặt trận. Nếu bạn là cán bộ, hãy đề nghị quản trị viên cấp quyền.',
  adminOnly: 'Lệnh này chỉ dành cho quản trị viên.',
  grantUsage: 'Cách dùng: /capquyen <kênh:mã người dùng>, ví dụ: /capquyen telegram:123456789 hoặc /capquyen zalo:e4ea2cd5189df1c3a88c',
  revokeUsage: 'Cách dùng: /thuhoiquyen <kênh:mã người dùng>, ví dụ: /thuhoiquyen telegram:123456789',
  granted: (who: string) => `Đã cấp quyền cán bộ cho ${who}.`,
  revoked: (who: string) => `Đã thu hồi quyền cán bộ của ${who}.`,
  notStaff: (who: string) => `${who} không có quyền cán bộ.`,
  announceUsage: 'Cách dùng: /thongbao <nội dung thông báo> (có thể nhiều dòng; dòng đầu là tiêu đề).',
  announceTooLong: (max: number) => `Thông báo dài quá ${max} ký tự. Bạn rút gọn giúp nhé.`,
  previewHead: 'Xem trước: người nhận sẽ thấy đúng tin nhắn dưới đây.',
  announcement: (text: string, date: string) => `📢 THÔNG BÁO CỦA MẶT TRẬN TỔ QUỐC VIỆT NAM (${date})\n\n${text}`,
  choose: (audience: 'topic' | 'all') =>
    `Gửi cho: ${audience === 'all' ? 'tất cả người đăng ký bản tin' : 'người đăng ký chủ đề “Thông báo”'}. Chọn gửi ngay, hẹn giờ hoặc hủy.`,
  buttonSendNow: 'Gửi ngay',
  buttonSchedule: 'Hẹn giờ',
  buttonCancel: 'Hủy',
  buttonAudience: (audience: 'topic' | 'all') => (audience === 'all' ? 'Đổi: chỉ chủ đề “Thông báo”' : 'Đổi: gửi tất cả người đăng ký'),
  askWhen: 'Gửi lúc nào? Gõ giờ và ngày theo giờ Việt Nam, ví dụ: 08:00 25/12, mai 7h, hôm nay 15:30.',
  whenUnknown: 'Tôi chưa hiểu thời điểm này (hoặc nó đã qua). Gõ lại, ví dụ: 08:00 25/12 hoặc mai 7h.',
  scheduled: (when: string) => `Đã hẹn gửi thông báo lúc ${when}. Thông báo sẽ được gửi đúng một lần, kể cả khi hệ thống khởi động lại.`,
  cancelled: 'Đã hủy thông báo, chưa gửi cho ai.',
  noDraft: 'Không có thông báo nào đang chờ. Gõ /thongbao <nội dung> để soạn.',
  confirmedNow: 'Đã đăng thông báo: người dân tìm được ngay. Đang gửi cho người đăng ký; tiến độ và báo cáo cuối sẽ hiện ở đây.',
  sending: (total: number) => `Đang gửi thông báo tới ${total} người đăng ký…`,
  nobody: 'Chưa có người đăng ký nào phù hợp để nhận thông báo. Thông báo vẫn đã được đăng và tìm được.',
  progress: (r: { sent: number; blocked: number; failed: number; remaining: number; etaSeconds?: number }) =>
    `Tiến độ: đã gửi ${r.sent}, bị chặn ${r.blocked}, lỗi ${r.failed}, còn ${r.remaining}${r.etaSeconds !== undefined ? ` (khoảng ${Math.ceil(r.etaSeconds / 60)} phút nữa)` : ''}.`,
  report: (r: { sent: number; blocked: number; failed: number; seconds: number }) =>
    `Đã gửi xong thông báo: gửi được ${r.sent}, bị chặn hoặc không còn ${r.blocked}, lỗi ${r.failed}; thời gian ${r.seconds} giây.`,
  inboxTitle: (n: number) => `Câu hỏi cần bổ sung nội dung (${n} nhóm gần nhất):`,
  inboxEmpty: 'Chưa có câu hỏi nào chưa trả lời được hoặc bị đánh giá 👎.',
  inboxLine: (times: number, question: string, when: string, reasons: string[], askers: string[] = []) =>
    `• ${times > 1 ? `(${times} lần) ` : ''}${question} — ${when}; ${reasons.join(', ')}${askers.length ? `; người hỏi: ${askers.slice(0, 3).join(', ')}${askers.length > 3 ? ', …' : ''}` : ''}`,
  reasonLabel: { unanswered: 'chưa trả lời được', low_confidence: 'trả lời chưa chắc', thumbs_down: 'bị đánh giá 👎' } as Record<string, string>,
  auditTitle: (n: number) => `Nhật ký thao tác (${n} mục gần nhất):`,
  auditEmpty: 'Nhật ký còn trống.',
  auditLine: (when: string, who: string, action: string, detail: string | undefined, outcome: string) =>
    `• ${when} — ${who}: ${action}${detail ? ` ${detail}` : ''} → ${({ ok: 'xong', denied: 'bị từ chối', failed: 'lỗi', cancelled: 'đã hủy' } as Record<string, string>)[outcome] ?? outcome}`,
  importUsage: 'Cách dùng: /nhapbai <đường dẫn bài viết, trang chuyên mục, RSS hoặc sitemap>',
  importUnavailable: 'Chức năng nhập bài chưa được bật trên máy chủ này.',
  importDone: (s: { new: number; updated: number; skipped: number; failed: number }, titles: string[]) =>
    [
      `Nhập bài: mới ${s.new}, cập nhật ${s.updated}, bỏ qua (đã có, không đổi) ${s.skipped}, lỗi ${s.failed}.`,
      ...titles.slice(0, 5).map((t) => `• ${t}`),
    ].join('\n'),
  importFailed: (reason: string) => `Không nhập được: ${reason}`,
  importForbiddenAddress: 'Địa chỉ nội bộ không được phép: bot chỉ nhập bài từ địa chỉ công khai trên Internet.',
  importForbiddenPort: 'Cổng này không được phép: bot chỉ nhập bài qua các cổng máy chủ cho phép (mặc định 80, 443, 8080).',
  importRefusedDetail: (url: string, rule: 'address' | 'port') => `${url} (${rule === 'address' ? 'địa chỉ nội bộ' : 'cổng không được phép'})`,
  sourcePaused: (url: string, failures: number, reason: string) =>
    `⚠️ Nguồn tin ${url} đã tạm dừng sau ${failures} lần lỗi liên tiếp: ${reason}. Kiểm tra nguồn rồi khởi động lại dịch vụ để thử lại.`,
  removeUsage: 'Cách dùng: /xoabai <mã bài>. Mã bài có trong kết quả /tim của cán bộ.',
  removeMissing: (id: string) => `Không có bài nào mã “${id}”.`,
  removed: (id: string, title: string) => `Đã gỡ bài ${quoteTitle(title)} (${id}): không còn tìm được và không vào bản tin. Thao tác đã ghi nhật ký.`,
  statsTitle: 'Thống kê',
  stats: (s: {
    byChannel: string;
    byTopic: string;
    byProvince: string;
    today: { asked: number; answered: number };
    week: { asked: number; answered: number };
    lastDigest?: string;
    lastAnnouncement?: string;
  }) =>
    [
      'Thống kê',
      `Người đăng ký theo kênh: ${s.byChannel || 'chưa có'}`,
      `Theo chủ đề: ${s.byTopic || 'chưa có'}`,
      `Theo tỉnh, thành: ${s.byProvince || 'chưa có'}`,
      `Câu hỏi hôm nay: ${s.today.asked} (trả lời được ${pct(s.today.answered, s.today.asked)})`,
      `Câu hỏi 7 ngày qua: ${s.week.asked} (trả lời được ${pct(s.week.answered, s.week.asked)})`,
      `Bản tin gần nhất: ${s.lastDigest ?? 'chưa gửi'}`,
      `Thông báo gần nhất: ${s.lastAnnouncement ?? 'chưa gửi'}`,
    ].join('\n'),
  reportLine: (r: { finishedAt?: string; sent: number; blocked: number; failed: number }, when: string) =>
    `${when}: gửi được ${r.sent}, bị chặn ${r.blocked}, lỗi ${r.failed}`,
  allTopics: 'tất cả chủ đề',
  wholeCountry: 'cả nước',
  inactive: 'ngừng nhận',
  paused: 'tạm dừng',
} as const;

function pct(part: number, whole: number): string {
  return whole === 0 ? '—' : `${Math.round((100 * part) / whole)}%`;
}

/** Tickets: a citizen's question handed to staff, and the staff answer reaching every asker. */
export const ticketText = {
  opened: (n: number) => `Câu hỏi đã được chuyển tới cán bộ Mặt trận (mã #${n}). Câu trả lời sẽ được gửi tới bạn tại đây.`,
  notOpened: 'Hiện chưa chuyển được câu hỏi tới cán bộ Mặt trận do hệ thống đang bận. Bạn gửi lại sau ít phút, hoặc gõ /hoicanbo <câu hỏi>.',
  askUsage: 'Gõ câu hỏi sau lệnh, ví dụ: /hoicanbo Thủ tục xin hỗ trợ nhà Đại đoàn kết thế nào? Câu hỏi sẽ được chuyển tới cán bộ Mặt trận.',
  mineNone: 'Bạn chưa gửi câu hỏi nào tới cán bộ Mặt trận.',
  mineTitle: 'Câu hỏi bạn đã gửi tới cán bộ Mặt trận:',
  /** One line of /cauhoicuatoi; `reason`: why staff closed it, when they chose to tell the askers. */
  mineLine: (n: number, wording: string, status: 'open' | 'answered' | 'closed', date: string, reason?: string) =>
    `#${n} (${date}) ${wording} — ${status === 'open' ? 'đang chờ cán bộ trả lời' : status === 'answered' ? 'đã trả lời' : `đã đóng${reason ? ` (lý do: ${reason})` : ''}`}`,
  /** The message every asker gets: their question, the ticket number, the answer as written, signed and dated. */
  answer: (n: number, question: string, text: string, date: string) => `Câu hỏi của bạn (mã #${n}): “${question}”

${text}

— Mặt trận Tổ quốc Việt Nam trả lời, ngày ${date}`,
  /** Opens an answer handed out on the asker's next message (it could not reach them when sent). */
  waitedLine: (n: number) => `Cán bộ Mặt trận đã trả lời câu hỏi của bạn (mã #${n}):`,
  closedNotice: (n: number, question: string, reason?: string) =>
    `Câu hỏi của bạn (mã #${n}): “${question}” đã được cán bộ Mặt trận đóng, sẽ không có câu trả lời qua bot${reason ? ` (lý do: ${reason})` : ''}.`,
  listTitle: (shown: number, open: number) => `Câu hỏi chờ cán bộ trả lời (${shown}/${open}), nhiều người hỏi trước, rồi cũ trước:`,
  listEmpty: 'Không có câu hỏi nào đang chờ trả lời. Gõ /cauhoi phanhoi để xem các câu bot trả lời chưa chắc hoặc bị đánh giá 👎.',
  listLine: (n: number, askers: number, wording: string, age: string) => `#${n} — ${askers} người hỏi — ${wording} — ${age}`,
  listHint: 'Trả lời: /traloi <số> <nội dung>. Đóng không trả lời: /dongcauhoi <số> [lý do].',
  erased: '(nội dung đã xóa theo yêu cầu người hỏi)',
  age: (ms: number) =>
    ms < 3_600_000
      ? `${Math.max(1, Math.round(ms / 60_000))} phút trước`
      : ms < 86_400_000
        ? `${Math.round(ms / 3_600_000)} giờ trước`
        : `${Math.round(ms / 86_400_000)} ngày trước`,
  answerUsage: 'Cách dùng: /traloi <số> <nội dung trả lời> (có thể nhiều dòng, giữ nguyên như bạn viết).',
  closeUsage: 'Cách dùng: /dongcauhoi <số> [lý do].',
  missing: (n: string) => `Không có câu hỏi nào mã #${n}.`,
  notOpen: (n: number) => `Câu hỏi #${n} đã được trả lời hoặc đã đóng.`,
  previewHead: (n: number, askers: number) =>
    `Xem trước câu trả lời cho #${n}: ${askers} người hỏi sẽ nhận đúng tin nhắn dưới đây (mỗi người thấy câu hỏi của chính mình).`,
  /** The curated entry's question "Gửi và lưu thành hỏi đáp" would save, and how to change it. */
  previewFaqQuestion: (question: string) =>
    `Câu hỏi lưu vào hỏi đáp (nếu chọn “Gửi và lưu thành hỏi đáp”): «${question}». Muốn sửa: gửi lại /traloi với dòng đầu “Hỏi: <câu hỏi>” rồi câu trả lời ở các dòng sau, hoặc sửa sau bằng /hoidap sua.`,
  /** The leading line of a /traloi that sets the curated entry's question ("Hỏi: …"); compared without accents or case. */
  faqQuestionMarker: 'Hỏi:',
  choose: 'Gửi câu trả lời này tới mọi người đã hỏi?',
  buttonSend: 'Gửi',
  buttonSendAndSave: 'Gửi và lưu thành hỏi đáp',
  buttonCancel: 'Hủy',
  noDraft: 'Không có câu trả lời nào đang chờ gửi. Gõ /traloi <số> <nội dung>.',
  draftCancelled: 'Đã hủy, chưa gửi cho ai.',
  sending: (n: number, askers: number, faqId?: number) =>
    `Đang gửi câu trả lời #${n} tới ${askers} người hỏi; báo cáo sẽ hiện ở đây.${faqId === undefined ? '' : ` Đã lưu thành hỏi đáp mục số ${faqId} (xem: /hoidap ${faqId}).`}`,
  faqNotSaved: (reason: string) => `Chưa lưu được thành hỏi đáp: ${reason} Lưu lại bằng /hoidap them <câu hỏi> | <câu trả lời>.`,
  report: (n: number, delivered: number, waiting: number) =>
    `Đã gửi câu trả lời #${n}: ${delivered} người đã nhận${waiting ? `, ${waiting} người chưa nhận được (chặn bot, quá thời hạn nhắn của nền tảng, hoặc đã rời trang web): họ sẽ nhận khi nhắn lại cho bot` : ''}. Câu hỏi đã đóng.`,
  closed: (n: number) => `Đã đóng câu hỏi #${n}, không gửi câu trả lời.`,
  buttonTell: 'Báo cho người hỏi',
  told: (n: number) => `Đang báo cho người hỏi rằng câu hỏi #${n} đã đóng; báo cáo sẽ hiện ở đây.`,
  closedReport: (n: number, delivered: number, waiting: number) =>
    `Đã báo cho người hỏi rằng câu hỏi #${n} đã đóng: ${delivered} người đã nhận${waiting ? `, ${waiting} người chưa nhận được (chặn bot, quá thời hạn nhắn của nền tảng, hoặc đã rời trang web): họ sẽ nhận khi nhắn lại cho bot` : ''}.`,
  /** Audit log details of the ticket actions. */
  audit: {
    answered: (n: number, savedAsFaq: boolean) => `#${n} gửi${savedAsFaq ? ', lưu thành hỏi đáp' : ''}`,
    told: (n: number) => `#${n} báo cho người hỏi`,
    previewed: (n: number) => `#${n} xem trước`,
  },
  stats: (s: { open: number; medianHours?: number; delivered: number; askers: number }) =>
    `Câu hỏi chờ cán bộ: ${s.open}; thời gian trả lời (trung vị): ${s.medianHours === undefined ? '—' : s.medianHours < 1 ? (s.medianHours * 60 < 1 ? 'dưới 1 phút' : `${Math.round(s.medianHours * 60)} phút`) : `${Math.round(s.medianHours * 10) / 10} giờ`}; người hỏi đã nhận câu trả lời: ${s.askers === 0 ? '—' : `${s.delivered}/${s.askers} (${Math.round((100 * s.delivered) / s.askers)}%)`}`,
} as const;

/** Curated answers (hỏi đáp): /hoidap for staff, and what the console shows of a refused change. */
export const faqText = {
  help: '/hoidap – câu hỏi đáp sẵn: /hoidap them <câu hỏi> | <trả lời>, /hoidap <số>, cachhoi, sua, xoa, thu (gõ /hoidap huongdan)',
  usage: [
    'Hỏi đáp – câu trả lời soạn sẵn, bot trả lời trước bài viết khi câu hỏi khớp:',
    '/hoidap – danh sách (mới sửa trước)',
    '/hoidap <số> – xem một mục',
    '/hoidap them <câu hỏi> | <câu trả lời> – thêm mục mới',
    '/hoidap cachhoi <số> <cách hỏi khác> – thêm một cách hỏi',
    '/hoidap sua <số> <câu hỏi> | <câu trả lời> – sửa (để trống một bên: giữ nguyên)',
    '/hoidap xoa <số> – gỡ mục (có xác nhận)',
    '/hoidap thu <câu hỏi> – xem bot sẽ trả lời thế nào và vì sao',
  ].join('\n'),
  listEmpty: 'Chưa có mục hỏi đáp nào. Thêm: /hoidap them <câu hỏi> | <câu trả lời>, hoặc chọn “Gửi và lưu thành hỏi đáp” khi trả lời /traloi.',
  listTitle: (shown: number, total: number) => `Hỏi đáp (${shown}/${total}), mới sửa trước:`,
  listLine: (id: number, date: string, question: string, wordings: number) => `#${id} (${date}) ${question} — ${wordings} cách hỏi`,
  needsQuestion: '(cần câu hỏi: câu hỏi của người dân đã được xóa theo yêu cầu của họ)',
  listHint: 'Xem: /hoidap <số>. Hướng dẫn: /hoidap huongdan.',
  show: (e: {
    id: number;
    question: string;
    status: 'active' | 'withdrawn';
    date: string;
    author: string;
    wordings: { text: string; from?: string }[];
    answer: string;
    fromTicket?: number;
  }) =>
    [
      `Hỏi đáp #${e.id}${e.status === 'withdrawn' ? ' (đã gỡ)' : ''} — cập nhật ${e.date}, ${e.author}${e.fromTicket === undefined ? '' : `, từ câu hỏi #${e.fromTicket}`}`,
      `Câu hỏi: ${e.question}`,
      ...(e.wordings.length ? ['Cách hỏi khác:', ...e.wordings.map((w) => `• ${w.text}${w.from ? ` (của người hỏi ${w.from})` : ''}`)] : []),
      'Trả lời:',
      e.answer,
    ].join('\n'),
  added: (id: number) => `Đã thêm hỏi đáp #${id}; bot trả lời bằng mục này ngay từ bây giờ.`,
  edited: (id: number) => `Đã sửa hỏi đáp #${id}; bot trả lời theo nội dung mới ngay từ bây giờ.`,
  alternateAdded: (id: number, count: number) => `Đã thêm cách hỏi cho hỏi đáp #${id} (${count} cách hỏi khác).`,
  confirmWithdraw: (id: number, question: string) => `Gỡ hỏi đáp #${id}: “${question}”? Bot sẽ thôi trả lời bằng mục này.`,
  buttonWithdraw: 'Gỡ mục này',
  buttonKeep: 'Không gỡ',
  withdrawn: (id: number) => `Đã gỡ hỏi đáp #${id}; bot không trả lời bằng mục này nữa.`,
  kept: 'Đã hủy, mục hỏi đáp được giữ nguyên.',
  /** Why a change was refused (FaqProblem in assistant/faq.ts). */
  problem: (problem: string, id: number | undefined, limits: { question: number; answer: number }) =>
    ({
      missing: `Không có mục hỏi đáp nào số ${id ?? ''}.`,
      withdrawn: `Hỏi đáp #${id ?? ''} đã được gỡ.`,
      empty_question: 'Thiếu câu hỏi. Cách dùng: /hoidap them <câu hỏi> | <câu trả lời>',
      empty_answer: 'Thiếu câu trả lời. Cách dùng: /hoidap them <câu hỏi> | <câu trả lời>',
      question_too_long: `Câu hỏi dài quá ${limits.question} ký tự.`,
      answer_too_long: `Câu trả lời dài quá ${limits.answer} ký tự (một tin nhắn Zalo).`,
      duplicate: `Đã có hỏi đáp #${id ?? ''} với câu hỏi này. Sửa mục đó: /hoidap sua ${id ?? ''} …, hoặc thêm cách hỏi: /hoidap cachhoi ${id ?? ''} …`,
    })[problem] ?? 'Không thực hiện được.',
  trialUsage: 'Cách dùng: /hoidap thu <câu hỏi>',
  trial: (t: { text: string; from?: string; probability?: number; threshold: number; features: string }) =>
    [
      'Bot sẽ trả lời:',
      t.text,
      '',
      `Nguồn: ${t.from ?? '—'}; xác suất trả lời đúng ${t.probability === undefined ? '—' : `${Math.round(t.probability * 100)}%`} (ngưỡng ${Math.round(t.threshold * 100)}%)`,
      ...(t.features ? [`Đặc trưng: ${t.features}`] : []),
    ].join('\n'),
  /** Where a reply came from in /hoidap thu, and the source label of an entry's document. */
  trialFrom: (id: number | string) => `hỏi đáp #${id}`,
  sourceLabel: 'hỏi đáp',
  /** Audit log details of /hoidap changes (the refusals add the problem's code). */
  audit: {
    add: 'thêm',
    added: (id: number, fromTicket?: number) => `thêm #${id}${fromTicket === undefined ? '' : ` từ câu hỏi #${fromTicket}`}`,
    edit: (id: number) => `sửa #${id}`,
    alternate: (id: number) => `cách hỏi #${id}`,
    withdraw: (id: number) => `xóa #${id}`,
  },
  /** The /thongke line. */
  statsLine: (answered: number) => `Câu hỏi được trả lời bằng hỏi đáp (7 ngày): ${answered}`,
} as const;

/** Marker that opens every "no information" reply, used to recognise it in evaluations. */
export const NO_ANSWER_PREFIX = 'Xin lỗi, tôi chưa có thông tin';

/** Text of the local web chat page. */
export const webPage = {
  title: 'Hỏi đáp Mặt trận Tổ quốc Việt Nam',
  heading: 'Trợ lý hỏi đáp Mặt trận Tổ quốc',
  intro: 'Hỏi về hoạt động, chương trình phối hợp, cuộc vận động của Mặt trận. Gõ có dấu hay không dấu đều được.',
  placeholder: 'Nhập câu hỏi…',
  send: 'Gửi',
  sources: 'Nguồn',
  error: 'Không gửi được câu hỏi. Bạn thử lại sau ít phút nhé.',
  examples: ['Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?', 'Quỹ Vì người nghèo là gì?', 'Ngày hội Đại đoàn kết toàn dân tộc là ngày nào?'],
} as const;

/** The staff console's sign-in page (what anyone without a session reads). The pages' own words are in their files. */
export const consoleUiText = {
  brand: 'Bảng điều khiển cán bộ – Trợ lý hỏi đáp MTTQ',
  signInTitle: 'Đăng nhập – Bảng điều khiển cán bộ',
  signInHeading: 'Đăng nhập bảng điều khiển',
  signInIntro: 'Trang này dành cho cán bộ và quản trị viên của bot. Không cần mật khẩu:',
  signInSteps: [
    'Mở cuộc trò chuyện riêng với bot trên Telegram hoặc Zalo.',
    'Gửi lệnh /dangnhap.',
    'Bấm vào đường dẫn bot gửi lại. Đường dẫn chỉ dùng được một lần, trong 10 phút.',
  ],
  signInNote: 'Phiên đăng nhập kéo dài 8 giờ. Muốn kết thúc sớm, bấm “Đăng xuất” trên trang hoặc gửi /dangxuat cho bot.',
  refused: {
    expired: 'Đường dẫn đăng nhập đã hết hạn (quá 10 phút). Gửi /dangnhap để nhận đường dẫn mới.',
    used: 'Đường dẫn này đã được dùng. Mỗi đường dẫn chỉ dùng được một lần: gửi /dangnhap để nhận đường dẫn mới.',
    invalid: 'Đường dẫn đăng nhập không đúng. Gửi /dangnhap để nhận đường dẫn mới.',
    cancelled: 'Đường dẫn này đã bị hủy vì bạn đã gửi /dangxuat sau khi nhận nó. Gửi /dangnhap để nhận đường dẫn mới.',
  },
  /** The page a sign-in link opens: the link is used only when the button is pressed. */
  confirmHeading: 'Xác nhận đăng nhập',
  confirmIntro: 'Bấm nút dưới đây để đăng nhập bảng điều khiển cán bộ. Chỉ bấm nếu chính bạn vừa gửi /dangnhap cho bot.',
  confirmButton: 'Đăng nhập',
} as const;

/** What /dulieucuatoi and /xoadulieu say (citizens' access to and erasure of their data). */
export const privacyText = {
  /** Names of the kinds of data kept (kinds in store/personal.ts). */
  kinds: {
    subscription: 'Đăng ký nhận bản tin (chủ đề, tỉnh, giờ nhận)',
    chat: 'Ngữ cảnh trò chuyện gần nhất (câu vừa hỏi, lựa chọn đang chờ; tự xóa sau 7 ngày)',
    feedback: 'Góp ý 👍/👎 kèm câu hỏi',
    unanswered: 'Câu hỏi bot chưa trả lời được (ghi lại để bổ sung thông tin)',
    inbox: 'Bản sao câu hỏi trong hộp thư cán bộ (câu bot trả lời chưa chắc hoặc bị 👎, để cán bộ xem lại)',
    ticket: 'Câu hỏi đã chuyển cán bộ (mã câu hỏi, nội dung bạn viết)',
    delivery: 'Tin nhắn đang chờ gửi trong một đợt gửi',
    faq: 'Cách hỏi của bạn được giữ trong một mục hỏi đáp của Mặt trận',
  } as Record<string, string>,
  itemLine: (label: string, count: number, since?: string) => `• ${label}: ${count}${since ? ` (từ ${since})` : ''}`,
  summary: (lines: string[], retentionDays: number) =>
    [
      'Dữ liệu của bạn mà tôi đang lưu:',
      ...lines,
      '',
      `Câu hỏi ghi lại cho cán bộ, và câu hỏi đã chuyển cán bộ sau khi được trả lời hoặc đóng, được giữ tối đa ${retentionDays} ngày rồi tự xóa. Tôi không lưu số điện thoại hay họ tên của bạn; cán bộ chỉ thấy kênh và một mã ẩn danh.`,
      'Gõ /xoadulieu để xóa tất cả.',
    ].join('\n'),
  nothing: 'Tôi không lưu dữ liệu nào của bạn (không có đăng ký bản tin, câu hỏi hay góp ý nào gắn với cuộc trò chuyện này).',
  confirm:
    'Bạn muốn xóa toàn bộ dữ liệu của bạn? Đăng ký bản tin, câu hỏi đã gửi cán bộ, câu hỏi đã ghi lại và góp ý sẽ bị xóa và không khôi phục được; chỉ còn số liệu thống kê không gắn với bạn.',
  buttonErase: 'Xóa dữ liệu của tôi',
  buttonKeep: 'Không xóa',
  kept: 'Đã hủy, dữ liệu của bạn được giữ nguyên.',
  erased: (lines: string[]) => ['Đã xóa dữ liệu của bạn:', ...lines, '', 'Bạn vẫn có thể hỏi tiếp bất cứ lúc nào.'].join('\n'),
  erasedNothing: 'Không có dữ liệu nào của bạn để xóa.',
  /** Audit log action of an erasure; the detail is the pseudonym and how much of each kind, never the content. */
  auditAction: 'xóa dữ liệu',
  auditDetail: (pseudonym: string, counts: { kind: string; count: number }[]): string =>
    counts.length ? `${pseudonym} (${counts.map((c) => `${privacyText.auditKinds[c.kind] ?? c.kind} ${c.count}`).join(', ')})` : pseudonym,
  /** Short names of the kinds of data in the audit log. */
  auditKinds: {
    subscription: 'đăng ký bản tin',
    chat: 'ngữ cảnh trò chuyện',
    feedback: 'góp ý',
    unanswered: 'câu chưa trả lời được',
    inbox: 'hộp thư cán bộ',
    ticket: 'câu hỏi chuyển cán bộ',
    delivery: 'tin chờ gửi',
    faq: 'cách hỏi trong hỏi đáp',
  } as Record<string, string>,
} as const;

/** The staff console's announcements, articles and statistics (its API's refusals and the CSV headers). */
export const consoleContentText = {
  textRequired: 'Nội dung thông báo không được để trống.',
  titleTooLong: (max: number) => `Tiêu đề dài quá ${max} ký tự.`,
  unknownTopic: 'Có chủ đề không thuộc danh mục bản tin.',
  unknownProvince: (name: string) => `Không có tỉnh, thành “${name}” trong danh mục 34 tỉnh, thành.`,
  sendAtInvalid: 'Thời điểm gửi không hợp lệ: dùng ngày giờ đầy đủ, ví dụ 2026-12-25T08:00:00+07:00.',
  sendAtPast: 'Thời điểm hẹn gửi đã qua. Chọn một thời điểm sau bây giờ, hoặc bỏ trống để gửi ngay.',
  sendAtTooFar: 'Chỉ hẹn gửi được trong vòng một năm tới.',
  daysInvalid: 'Số ngày phải là số nguyên từ 1 đến 366.',
  chartInvalid: 'Không có biểu đồ này: chọn questions, tickets, subscribers hoặc digest.',
  limitInvalid: 'Số bài phải là số nguyên từ 1 đến 200.',
  urlInvalid: 'Đường dẫn phải bắt đầu bằng http:// hoặc https:// và không có khoảng trắng.',
  articleMissing: (id: string) => `Không có bài nào mã “${id}” đang được tìm thấy.`,
  /** Audit details of the console's actions (the action is the chat command's name, as in chat). */
  auditSentNow: (id: string, audience: string) => `bảng điều khiển: gửi ngay ${id} (${audience})`,
  auditScheduled: (when: string, id: string, audience: string) => `bảng điều khiển: hẹn ${when} ${id} (${audience})`,
  audience: (topics: string[], provinces: string[]) =>
    `${topics.length ? `chủ đề ${topics.join(', ')}` : 'chủ đề Thông báo'}; ${provinces.length ? provinces.join(', ') : 'cả nước'}`,
  auditImport: (url: string, s: { new: number; updated: number; failed: number }) =>
    `bảng điều khiển: ${url} (mới ${s.new}, cập nhật ${s.updated}, lỗi ${s.failed})`,
  auditRemoved: (id: string, title: string) => `bảng điều khiển: ${id} ${quoteTitle(title)}`,
  auditRemoveMissing: (id: string) => `bảng điều khiển: ${id}`,
  /** CSV column headers of each chart (a spreadsheet opens them as they are). */
  csv: {
    date: 'Ngày',
    answered: 'Trả lời được',
    noInfo: 'Chưa có thông tin',
    ticket: 'Chuyển cán bộ',
    curated: 'Trả lời từ hỏi đáp',
    medianHours: 'Thời gian trả lời (giờ, trung vị)',
    ticketsAnswered: 'Câu hỏi được trả lời',
    total: 'Tổng người đăng ký',
    delivered: 'Bản tin đã gửi',
    failed: 'Bản tin không gửi được',
  },
} as const;

/** The staff console's sign-in (/dangnhap, /dangxuat, the link) and its API's refusals. */
export const consoleAuthText = {
  link: (url: string, minutes: number) =>
    [
      `Đường dẫn đăng nhập bảng điều khiển cho cán bộ (chỉ dùng được một lần, trong ${minutes} phút):`,
      url,
      'Không chuyển đường dẫn này cho người khác. Gõ /dangxuat để kết thúc mọi phiên đăng nhập.',
    ].join('\n'),
  privateOnly: 'Vì an toàn, đường dẫn đăng nhập chỉ được gửi trong cuộc trò chuyện riêng với bot. Hãy nhắn /dangnhap cho bot ở cửa sổ chat riêng.',
  webOnly: 'Lệnh /dangnhap dùng trong Telegram hoặc Zalo: cán bộ nhận đường dẫn đăng nhập qua cuộc trò chuyện riêng với bot.',
  signedOut: (count: number) =>
    `${count > 0 ? `Đã đăng xuất ${count} phiên trên bảng điều khiển.` : 'Không có phiên đăng nhập nào đang mở.'} Các đường dẫn đăng nhập đã gửi mà chưa dùng cũng không dùng được nữa.`,
  staffHelp: '/dangnhap – nhận đường dẫn đăng nhập bảng điều khiển trên máy tính; /dangxuat – đăng xuất mọi phiên',
  signInRequired: 'Bạn cần đăng nhập: nhắn /dangnhap cho bot để nhận đường dẫn đăng nhập.',
  csrf: 'Phiên làm việc không hợp lệ (thiếu mã bảo vệ). Hãy tải lại trang rồi thử lại.',
  notFound: 'Không có mục này.',
  methodNotAllowed: 'Thao tác này không được hỗ trợ ở địa chỉ này.',
  notJson: 'Dữ liệu gửi lên không đúng định dạng JSON.',
  tooLarge: (kb: number) => `Dữ liệu gửi lên quá lớn (tối đa ${kb} KB).`,
  invalid: (field: string, detail: string) => `Dữ liệu không hợp lệ${field ? ` ở trường “${field}”` : ''}${detail ? `: ${detail}` : ''}.`,
  internal: 'Có lỗi khi xử lý yêu cầu. Bạn thử lại sau ít phút nhé.',
  /** Audit log lines of the console (actions in the staff audit log). */
  auditSignIn: 'đăng nhập bảng điều khiển',
  auditSignOut: 'đăng xuất bảng điều khiển',
  auditLinkSent: '/dangnhap',
  auditSignOutAll: '/dangxuat',
  auditSessionRevoked: 'phiên bảng điều khiển bị chấm dứt (đã thu hồi quyền)',
  auditApi: 'bảng điều khiển:',
  csrfDetail: 'thiếu hoặc sai mã CSRF',
  unknownWho: 'không rõ',
  signInRefusedDetail: {
    expired: 'đường dẫn hết hạn',
    used: 'đường dẫn đã dùng',
    invalid: 'đường dẫn không hợp lệ',
    cancelled: 'đường dẫn đã hủy bởi /dangxuat',
    revoked: 'không còn quyền cán bộ',
    crossSite: 'yêu cầu đăng nhập từ trang khác',
  },
  /** The sign-in link's POST without its confirmation page (a console without that page). */
  confirmByPost: 'Gửi mã đăng nhập (trường token) bằng POST tới /admin/login để đăng nhập.',
} as const;

/** The staff console's tickets, curated answers and audit log API: its refusals. */
export const consoleApiText = {
  statusInvalid: 'Trạng thái phải là open, answered hoặc closed.',
  ticketMissing: (n: string) => `Không có câu hỏi nào mã #${n}.`,
  ticketProblem: {
    missing: 'Không có câu hỏi này.',
    not_open: 'Câu hỏi này đã được trả lời hoặc đã đóng.',
    not_closed: 'Câu hỏi này chưa đóng, hoặc người hỏi đã được báo.',
    empty: 'Nội dung trả lời không được để trống.',
    too_long: 'Câu trả lời quá dài cho một tin nhắn Zalo (tối đa 1.500 ký tự): hãy rút gọn.',
  },
  textRequired: 'Hãy nhập nội dung.',
  faqMissing: (id: string) => `Không có mục hỏi đáp số ${id}.`,
  faqProblem: {
    missing: 'Không có mục hỏi đáp này.',
    withdrawn: 'Mục hỏi đáp này đã được gỡ.',
    empty_question: 'Câu hỏi không được để trống.',
    empty_answer: 'Câu trả lời không được để trống.',
    question_too_long: 'Câu hỏi quá dài (tối đa 300 ký tự).',
    answer_too_long: 'Câu trả lời quá dài (tối đa 1.500 ký tự).',
    duplicate: 'Đã có một mục hỏi đáp với đúng câu hỏi này.',
  },
  csvRequired: 'Hãy dán nội dung tệp CSV (dòng đầu là tiêu đề cột: question, alternates, answer).',
  dateInvalid: 'Ngày phải có dạng YYYY-MM-DD.',
  limitInvalid: 'Số dòng phải là số nguyên từ 1 đến 500.',
} as const;

/** Curated answers read from a file (the console's CSV import, `cli faq import`): why a line was not read. */
export const faqFileText = {
  row: 'Thiếu câu hỏi hoặc câu trả lời.',
  questionTooLong: 'Câu hỏi quá dài (tối đa 300 ký tự).',
  answerTooLong: 'Câu trả lời quá dài (tối đa 1.500 ký tự).',
  alternates: 'Cột alternates phải là chữ (các cách hỏi cách nhau bởi dấu |).',
  updatedAt: 'Cột updatedAt phải là một thời điểm ISO 8601, ví dụ 2026-12-07T08:00:00+07:00.',
  author: 'Cột author phải là chữ, tối đa 100 ký tự.',
  notJson: (detail: string) => `Dòng này không phải JSON: ${detail}`,
  unreadable: (detail: string) => `Không đọc được tệp CSV: ${detail}`,
  tooManyRows: (max: number) => `Tệp có hơn ${max} mục: chỉ ${max} mục đầu được đọc, từ dòng này trở đi bị bỏ qua.`,
} as const;
