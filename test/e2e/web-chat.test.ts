import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createConversation } from '../../src/assistant/conversation.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { createHttpServer } from '../../src/http/server.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createStores } from '../../src/store/stores.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) process.stderr.write(`skipping the browser test: ${CHROMIUM} is absent (.ci/run installs Debian's chromium)\n`);

describe.skipIf(!hasChromium)('web chat in headless Chromium', () => {
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    const { items } = await loadContent([join(ROOT, 'data'), join(ROOT, 'test', 'fixtures', 'e2e')]);
    const index = ArticleIndex.create();
    for (const item of items) index.upsert(toSearchDoc(item));
    const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
    const conversation = createConversation({
      engine: createAnswerEngine({ index, lexicon }),
      index,
      lexicon,
      stores: await createStores({ log: silentLogger() }),
      log: silentLogger(),
    });
    server = createHttpServer({ conversation, log: silentLogger() });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => server?.close(() => r()));
  });

  it('asks a question on a phone-sized page, shows the answer with its source link, and the buttons work', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(base);
    await expect.poll(() => page.locator('.msg.bot').first().textContent()).toContain('Xin chào');
    await page.fill('#q', 'Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?');
    await page.press('#q', 'Enter');
    const answer = page.locator('.msg.bot', { hasText: 'Phạm Thị Hân' });
    await answer.waitFor({ timeout: 10_000 });
    const link = answer.locator('.src a');
    expect(await link.getAttribute('href')).toMatch(/^https:\/\/mattran\.example\//);
    await page
      .getByRole('button', { name: /Hữu ích/ })
      .last()
      .click();
    await page.locator('.msg.bot', { hasText: 'Cảm ơn bạn đã góp ý' }).waitFor({ timeout: 10_000 });
    await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'web-chat.png'), fullPage: true });
    await page.close();
  });

  it('shows hostile text as text, not markup', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    await page.fill('#q', '<img src=x onerror="document.title=\'pwned\'">');
    await page.press('#q', 'Enter');
    await page.locator('.msg.bot').nth(1).waitFor({ timeout: 10_000 });
    expect(await page.title()).not.toBe('pwned');
    expect(await page.locator('img').count()).toBe(0);
    await page.close();
  });
});
