import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProbablyReaderable } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { articleIdFor, canonicalizeUrl, contentHash, detectProvince, extractArticle, ExtractError } from '../../src/ingest/extract.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { SITE_DIR } from './site-server.js';

const lexicon = loadLexicon(join(import.meta.dirname, '../../data/lexicon'));
const now = () => new Date('2024-12-05T03:00:00Z');
const page = (path: string) => readFileSync(join(SITE_DIR, path), 'utf8').replaceAll('{{BASE}}', 'http://127.0.0.1:8080');
const DESKTOP = 'https://mattran.org.vn/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html';
/** Everything that is not the article: related headlines, captions, inline related links, chrome. */
const NOT_BODY = [
  'Cà Mau',
  'Lạng Sơn',
  'Hà Nội',
  'Quảng Ngãi',
  'Tuyên Quang',
  'Xem thêm',
  'Gửi ban biên tập',
  'Tìm kiếm văn bản',
  'Tin hoạt động',
  'Đại diện Ủy ban MTTQ tỉnh trao bò',
  '(Mặt trận)',
  'H.L',
  'Vì người nghèo</a>',
];

describe('extractArticle: the mattran.org.vn rule', () => {
  const got = extractArticle(
    page('hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html'),
    'https://m.mattran.org.vn/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html',
    { lexicon, now },
  );

  it('reads title, sapo, date, image, tags, canonical URL and id', () => {
    expect(got.rule).toBe('mattran');
    expect(got.article).toMatchObject({
      id: 'mattran-46001',
      url: DESKTOP,
      title: 'Điện Biên: Trao 215 con bò giống cho hộ nghèo vùng cao',
      summary: 'Ủy ban MTTQ Việt Nam tỉnh Điện Biên vừa trao 215 con bò giống cho các hộ nghèo ở ba huyện vùng cao, giúp bà con có sinh kế bền vững.',
      publishedAt: '2024-04-19T08:30:00+07:00',
      source: 'mattran.org.vn',
      kind: 'article',
    });
    expect(got.imageUrl).toBe('https://static.mattran.org.vn/images/2024/04/dien-bien-bo-giong.jpg');
    expect(got.tags).toEqual(['Vì người nghèo', 'Điện Biên']);
  });

  it('keeps only the article paragraphs, without the "(Mặt trận) -" lead, related boxes or chrome', () => {
    const paragraphs = got.article.body.split('\n\n');
    expect(paragraphs).toHaveLength(4);
    expect(paragraphs[0]).toMatch(/^Sáng 18\/4, tại huyện Mường Nhé/);
    expect(paragraphs[3]).toMatch(/400 con bò giống và 120 căn nhà Đại đoàn kết/);
    for (const text of NOT_BODY) expect(got.article.body).not.toContain(text);
  });

  it('moves the byline initials at the end of the body to the author', () => {
    expect(got.article.author).toBe('H.L');
  });

  it('detects the province from the text, not from the related headlines', () => {
    expect(got.article.province).toBe('Điện Biên');
  });

  it('prefers .article__author, reads <time datetime> and strips the lead from the sapo', () => {
    const gl = extractArticle(
      page('hoat-dong/gia-lai-ngay-hoi-dai-doan-ket-46002.html'),
      'http://127.0.0.1:8080/hoat-dong/gia-lai-ngay-hoi-dai-doan-ket-46002.html',
      { lexicon, now },
    );
    expect(gl.article).toMatchObject({ id: 'mattran-46002', author: 'Minh Anh', publishedAt: '2024-11-15T09:00:00+07:00', province: 'Gia Lai' });
    expect(gl.article.summary).toBe('Hơn 600 người dân làng Plei Ơi cùng dự Ngày hội Đại đoàn kết toàn dân tộc.');
    expect(gl.article.body).not.toContain('Khánh Hòa');
    expect(gl.article.body).not.toContain('Xem thêm');
  });

  it('reads a "Thứ sáu, 18/10/2024" date from the meta line and a name byline', () => {
    const ct = extractArticle(page('hoat-dong/can-tho-quy-vi-nguoi-ngheo-46003.html'), 'http://127.0.0.1:8080/x', { lexicon, now });
    expect(ct.article).toMatchObject({ publishedAt: '2024-10-18T00:00:00+07:00', author: 'Thu Hà', province: 'Cần Thơ' });
  });

  it('gives the mobile page the desktop canonical URL, id and the same content hash', () => {
    const mobile = extractArticle(
      page('m/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html'),
      'http://127.0.0.1:8080/m/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html',
      { lexicon, now },
    );
    expect(mobile.article.url).toBe(DESKTOP);
    expect(mobile.article.id).toBe('mattran-46001');
    expect(contentHash(mobile.article)).toBe(contentHash(got.article));
  });

  it('fixes what the seed article shows: no related headlines or chrome in a page built like the seed', () => {
    const seedLike = `<html><head><link rel="canonical" href="https://mattran.org.vn/hoat-dong/quang-binh-46909.html"></head><body>
      <div class="main-column"><h1>Quảng Bình triển khai chương trình phối hợp</h1>
      <div class="article__body"><p>(Mặt trận) -</p><p>Ngày 19/4, Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Quảng Bình tổ chức hội nghị triển khai các chương trình phối hợp năm nay.</p>
      <div class="article__inner-relate"><div class="story"><h3 class="story__heading"><a href="/a-1.html">Lào Cai: Các tập thể ủng hộ quỹ</a></h3></div>
      <div class="story"><h3 class="story__heading"><a href="/a-2.html">Gia Lai: Ngày hội Đại đoàn kết</a></h3></div></div>
      <p>Tại hội nghị, các đại biểu thảo luận những kết quả đạt được.</p><p>X.T</p></div></div>
      <div>Xem thêm</div><div>Gửi ban biên tập</div><div>Tìm kiếm văn bản</div></body></html>`;
    const got = extractArticle(seedLike, 'https://mattran.org.vn/hoat-dong/quang-binh-46909.html', { lexicon });
    expect(got.article.id).toBe('mattran-46909');
    expect(got.article.author).toBe('X.T');
    expect(got.article.province).toBe('Quảng Trị');
    expect(got.article.body).toBe(
      'Ngày 19/4, Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Quảng Bình tổ chức hội nghị triển khai các chương trình phối hợp năm nay.\n\nTại hội nghị, các đại biểu thảo luận những kết quả đạt được.',
    );
  });
});

describe('extractArticle: the generic fallback', () => {
  const url = 'http://127.0.0.1:8080/tinh/lao-cai-ho-tro-sua-nha.html';
  const got = extractArticle(page('tinh/lao-cai-ho-tro-sua-nha.html'), url, { lexicon, now });

  it('reads title, description, JSON-LD date and author, og:image and the canonical URL without tracking', () => {
    expect(got.rule).toBe('generic');
    expect(got.article).toMatchObject({
      id: articleIdFor(url),
      url,
      title: 'Lào Cai: Hơn 1.200 hộ nghèo được hỗ trợ sửa nhà trước mùa mưa lũ',
      summary: 'Ủy ban MTTQ tỉnh Lào Cai phối hợp các sở, ngành hỗ trợ hơn 1.200 hộ nghèo gia cố, sửa chữa nhà ở.',
      publishedAt: '2024-12-01T07:45:00+07:00',
      author: 'Nguyễn Thu Trang',
      province: 'Lào Cai',
      source: 'Cổng thông tin Ủy ban MTTQ tỉnh Lào Cai',
    });
    expect(got.article.id).toMatch(/^web-[0-9a-f]{16}$/);
    expect(got.imageUrl).toBe('http://127.0.0.1:8080/uploads/2024/12/sua-nha.jpg');
    expect(got.modifiedAt).toBe('2024-12-02T10:00:00+07:00');
  });

  it('picks the paragraph-rich block and drops nav, header, aside, footer, related lists, share and comments', () => {
    const paragraphs = got.article.body.split('\n\n');
    expect(paragraphs).toHaveLength(4);
    expect(paragraphs[0]).toMatch(/^Trước mùa mưa lũ, Ủy ban MTTQ tỉnh Lào Cai/);
    for (const text of [
      'Hotline',
      'Trang chủ',
      'Yên Bái',
      'Hà Giang',
      'Tin liên quan',
      'Chia sẻ',
      'Bình luận',
      'Chưa có bình luận',
      'Đọc nhiều',
      'Thái Nguyên',
      'Bản quyền',
      'Tìm kiếm văn bản',
      'Gửi ban biên tập',
      '(MTTQ Lào Cai)',
    ]) {
      expect(got.article.body).not.toContain(text);
    }
  });

  it('survives malformed HTML (unclosed tags)', () => {
    const broken = extractArticle(page('broken/article.html'), 'http://127.0.0.1:8080/broken/article.html', { lexicon, now });
    expect(broken.article.title).toBe('Hà Tĩnh: Hội nghị hiệp thương lần thứ nhất');
    expect(broken.article.body).toContain('95 người ứng cử');
    expect(broken.article.province).toBe('Hà Tĩnh');
  });

  it('refuses a page with no article text', () => {
    expect(() => extractArticle(page('broken/not-an-article.html'), 'http://127.0.0.1:8080/lien-he', { lexicon })).toThrow(ExtractError);
  });
});

describe('extractArticle: the generic rule over Readability, on a news site', () => {
  const url = 'https://baocongdong.example.vn/xa-hoi/nghe-an-trao-qua-cong-nhan-2024112001.html';
  const html = page('bao/nghe-an-trao-qua-cong-nhan-2024112001.html');
  const got = extractArticle(html, url, { lexicon, now });

  it('takes the headline from <title> without the site name, the byline element as author and the first content image', () => {
    expect(got.rule).toBe('generic');
    expect(got.article).toMatchObject({
      url,
      title: 'Nghệ An: Trao 300 suất quà cho công nhân có hoàn cảnh khó khăn',
      author: 'Lê Văn Hùng',
      province: 'Nghệ An',
      source: 'baocongdong.example.vn',
    });
    expect(got.imageUrl).toBe('https://baocongdong.example.vn/uploads/2024/11/trao-qua-cong-nhan.jpg');
  });

  it('keeps the sapo and the five body paragraphs, and nothing of the menus, comments, related list, sidebar, captions or footer', () => {
    const paragraphs = got.article.body.split('\n\n');
    expect(paragraphs).toHaveLength(6);
    expect(paragraphs[0]).toMatch(/^Ủy ban MTTQ tỉnh Nghệ An phối hợp với Liên đoàn Lao động tỉnh/);
    expect(paragraphs[4]).toContain('chương trình vay vốn ưu đãi cho công nhân');
    expect(paragraphs[5]).toMatch(/^Được biết, từ đầu năm đến nay/);
    const notBody = [
      'Đăng nhập',
      'Trang chủ',
      'Thời sự',
      'Tìm',
      '20/11/2024',
      'Ảnh: L.H',
      'Xem thêm',
      'Tin liên quan',
      'Bàn giao 20 Mái ấm',
      'Quảng Trị',
      'Từ khóa',
      'Chia sẻ',
      'Ý kiến bạn đọc',
      'Diễn Châu',
      'nhà trọ cho người lao động mất việc',
      'Quảng Ngãi',
      'Gửi bình luận',
      'Đọc nhiều',
      'Cà Mau',
      'Đăng ký nhận bản tin',
      'Giấy phép',
      'Quảng cáo chèn bằng script',
    ];
    for (const text of notBody) expect(got.article.body).not.toContain(text);
  });

  it('takes the summary from twitter:description, which only Readability reads', () => {
    expect(got.article.summary).toBe(
      'Ủy ban MTTQ tỉnh Nghệ An cùng Liên đoàn Lao động tỉnh trao 300 suất quà cho công nhân có hoàn cảnh khó khăn tại các khu công nghiệp.',
    );
  });

  it("dates the article by Readability's parsely-pub-date when our metadata reader has none, before any date line", () => {
    expect(got.article.publishedAt).toBe('2024-11-20T08:15:00+07:00');
  });

  it("without date metadata, takes the article's date line rather than the top bar's date of today", () => {
    const bare = extractArticle(html.replace(/<meta name="parsely-pub-date"[^>]*>/, ''), url, { lexicon, now });
    expect(bare.article.publishedAt).toBe('2024-11-20T00:00:00+07:00');
  });

  it("leaves out a summary when the page has no description: Readability's excerpt is then the first paragraph", () => {
    const noDescription = extractArticle(html.replace(/<meta name="twitter:description"[^>]*>/, ''), url, { lexicon, now });
    expect(noDescription.article.summary).toBeUndefined();
    expect(noDescription.article.body).toBe(got.article.body);
  });

  it("refuses a section page of teaser cards, which Readability's isProbablyReaderable accepts", () => {
    const list = page('bao/xa-hoi.html');
    expect(isProbablyReaderable(parseHTML(list).document)).toBe(true);
    expect(() => extractArticle(list, 'https://baocongdong.example.vn/xa-hoi/', { lexicon, now })).toThrow(/a list of articles/);
  });

  it('extracts short articles that isProbablyReaderable turns down, so that check is not the gate', () => {
    const short = page('tinh/lao-cai-ho-tro-sua-nha.html');
    expect(isProbablyReaderable(parseHTML(short).document)).toBe(false);
    expect(extractArticle(short, 'http://127.0.0.1:8080/tinh/lao-cai-ho-tro-sua-nha.html', { lexicon, now }).article.body.length).toBeGreaterThan(500);
  });

  it('refuses a page with more elements than the limit without scoring it', () => {
    const huge = `<html><head><title>Trang rất lớn</title></head><body>${'<p>Ý kiến bạn đọc.</p>'.repeat(30_001)}</body></html>`;
    const error = (() => {
      try {
        extractArticle(huge, 'https://baocongdong.example.vn/a.html');
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ExtractError);
    expect(String(error)).toMatch(/too large to read \(30005 elements, limit 30000\)/);
  });
});

describe('ids, URLs and provinces', () => {
  it('maps mobile, www and http mattran URLs to one canonical desktop URL', () => {
    for (const u of ['http://m.mattran.org.vn/hoat-dong/a-46909.html?utm_source=zalo#top', 'https://www.mattran.org.vn/hoat-dong/a-46909.html']) {
      expect(canonicalizeUrl(u)).toBe('https://mattran.org.vn/hoat-dong/a-46909.html');
    }
    expect(articleIdFor('https://mattran.org.vn/gioi-thieu/lich-su-mat-tran-dan-toc-thong-nhat-32563.html')).toBe('mattran-32563');
  });

  it("keeps other sites' queries but drops tracking parameters", () => {
    expect(canonicalizeUrl('https://example.vn/tin?id=5&utm_medium=rss&fbclid=x#a')).toBe('https://example.vn/tin?id=5');
  });

  it('takes the most frequent province, ties going to the first named', () => {
    expect(detectProvince(['Hà Giang và Tuyên Quang', 'tỉnh Lào Cai, Lào Cai'], lexicon)).toBe('Tuyên Quang');
    expect(detectProvince(['Gia Lai rồi Cần Thơ'], lexicon)).toBe('Gia Lai');
    expect(detectProvince(['Ủy ban Trung ương MTTQ Việt Nam'], lexicon)).toBeUndefined();
  });
});

describe('chrome and headings', () => {
  const body = (paragraphs: string) => `<html><head><meta property="og:title" content="Tiêu đề từ og"></head><body>
    <header class="site"><h1 class="logo">Cổng thông tin MTTQ</h1></header><div class="post">${paragraphs}</div></body></html>`;
  const para = 'Ủy ban MTTQ xã tổ chức gặp mặt các gia đình chính sách, trao quà và lắng nghe ý kiến của người dân về công tác an sinh.';

  it('drops chrome labels and "Xem thêm: …" links but keeps sentences that start with the same words', () => {
    const got = extractArticle(
      body(
        `<p>${para}</p><p>Xem thêm »</p><p>Xem thêm: Hội nghị giám sát ở xã bên</p><p>Chia sẻ với phóng viên, ông Nam cho biết bà con rất phấn khởi.</p><p>Bình luận</p>`,
      ),
      'https://xa.example.vn/tin/a.html',
    );
    expect(got.article.body).toBe(`${para}\n\nChia sẻ với phóng viên, ông Nam cho biết bà con rất phấn khởi.`);
  });

  it('does not take the logo heading of the site header as the title', () => {
    expect(extractArticle(body(`<p>${para}</p>`), 'https://xa.example.vn/tin/a.html').article.title).toBe('Tiêu đề từ og');
  });
});
