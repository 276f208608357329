/**
 * The Reports view as a support lead uses it, in headless Chromium against the real emulator and a real
 * store synced by real passes: two agents answer buyers through the page, a pass brings their replies back,
 * and the view's totals, per-agent and per-day tables equal `report()`'s for the same period (with the
 * inbox's agent credit), the CSV download equals `ym-chats report --csv` (the built binary) row for row,
 * the dialog works by keyboard (Tab stays in, Esc closes, focus returns), axe finds nothing serious at
 * 1366×768 and 390×844, and a phone gets no sideways scroll. The route: another business's agent is
 * refused, bad periods are a 400 naming the problem. Screenshots go to /work/shots when that directory
 * exists (YM_SHOTS_DIR to choose another), else to a temp directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { hashPassword } from '@ym-chats/inbox';
import { report } from '@ym-chats/sync';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSeconds, formatShare, reportWords } from '../client/reports-i18n.js';
import type { ReportView } from '../client/reports-view.js';
import { sendLedgerCredit } from '../src/reports/credit.js';
import { apiGet, chromiumReady, loginPage, type OpenBrowser, openBrowser } from './support/browser.js';
import { BUSINESS, type Harness, startHarness, teamAgent } from './support/inbox-server.js';
import { syncPass } from './support/sync-pass.js';

const CLI = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const SHOTS_DIR = process.env.YM_SHOTS_DIR ?? '/work/shots';
const OTHER_BUSINESS = BUSINESS + 777;
/** The Russian words the page shows (its default language), for reading the view's figures. */
const w = reportWords(((key: string) => (key === 'locale' ? 'ru' : key)) as Parameters<
  typeof reportWords
>[0]);

if (chromiumReady()) {
  describe('the Reports view', () => {
    let h: Harness;
    let b: OpenBrowser;
    let page: Page;
    let shots = '';
    let keepShots = false;

    const login = (context: BrowserContext, name: string, password: string) =>
      loginPage(context, h.url, { login: name, password });
    const dialog = (p: Page) => p.getByRole('dialog', { name: 'Отчёты' });

    async function csrf(p: Page): Promise<string> {
      return ((await (await apiGet(p, `${h.url}/api/session`)).json()) as { csrf: string }).csrf;
    }

    /** A reply typed by the agent of `p`, sent as the page sends it. */
    async function reply(p: Page, chatId: number, text: string) {
      let seen = 0;
      for await (const m of h.api.iterateChatHistory(BUSINESS, chatId))
        seen = Math.max(seen, Number(m.messageId));
      const res = await p.request.post(`${h.url}/api/businesses/${BUSINESS}/chats/${chatId}/messages`, {
        headers: { 'X-CSRF-Token': await csrf(p) },
        data: { text, clientId: `reports-${chatId}`, page: 'reports-test-page', seenMessageId: seen },
      });
      expect(res.status(), await res.text()).toBe(200);
      expect(((await res.json()) as { state: string }).state).toBe('sent');
    }

    beforeAll(async () => {
      keepShots = existsSync(SHOTS_DIR);
      shots = keepShots ? SHOTS_DIR : mkdtempSync(join(tmpdir(), 'inbox-reports-'));
      h = await startHarness({
        seed: 11,
        businessIds: [BUSINESS, OTHER_BUSINESS],
        inbox: { pageRefreshMs: 3_600_000, sends: { settleMs: 1500, heartbeatMs: 200, staleAfterMs: 1000 } },
        agents: [
          await teamAgent('anna', 'Анна'),
          await teamAgent('boris', 'Борис'),
          {
            login: 'gleb',
            name: 'Глеб',
            passwordHash: await hashPassword('gleb-pass'),
            businessIds: [BUSINESS, OTHER_BUSINESS],
          },
          {
            login: 'vera',
            name: 'Вера',
            passwordHash: await hashPassword('vera-pass'),
            businessIds: [OTHER_BUSINESS],
          },
        ],
      });
      b = await openBrowser();
      page = await login(await b.context({ viewport: { width: 1366, height: 768 } }), 'anna', 'anna-pass');
      // Two agents answer waiting buyers from the page; a pass brings the replies into the store.
      const waiting = (await h.api.getChats(BUSINESS, { statuses: ['WAITING_FOR_PARTNER'] })).result.chats;
      expect(waiting.length).toBeGreaterThanOrEqual(3);
      const boris = await login(await b.context(), 'boris', 'boris-pass');
      await reply(page, Number(waiting[0]!.chatId), 'Анна: заказ уже в пути.');
      await reply(page, Number(waiting[1]!.chatId), 'Анна: проверим и ответим.');
      await reply(boris, Number(waiting[2]!.chatId), 'Борис: возврат оформлен.');
      await boris.context().close();
      await syncPass(h.store.store, h.api, BUSINESS);
    }, 120_000);

    afterAll(async () => {
      await b?.close();
      await h?.close();
      if (!keepShots && shots) rmSync(shots, { recursive: true, force: true });
    });

    /** The route's answer for the last 30 days, as the page reads it. */
    async function last30(p: Page): Promise<ReportView> {
      const res = await apiGet(p, `${h.url}/api/businesses/${BUSINESS}/report?days=30`);
      expect(res.status()).toBe(200);
      return (await res.json()) as ReportView;
    }

    it('shows report()’s figures for the period: totals, charts, per agent and per day', async () => {
      const opener = page.getByRole('button', { name: 'Отчёты', exact: true });
      await opener.focus();
      await page.keyboard.press('Enter');
      const sheet = dialog(page);
      await sheet.getByRole('table', { name: 'По дням' }).waitFor();
      await sheet.getByLabel('Период').selectOption('30');
      await expect
        .poll(() => sheet.getByRole('table', { name: 'По дням' }).getByRole('row').count())
        .toBeGreaterThan(29);

      const shown = await last30(page);
      const want = (
        await report(h.store.store, {
          from: shown.from,
          to: shown.to,
          targetMinutes: 15,
          businessId: BUSINESS,
          credit: sendLedgerCredit(h.store.store.database()),
        })
      ).summary;
      const { businessId: _b, timeZone: _z, businessHours: _h, ...figures } = shown;
      expect(figures).toEqual(want);
      // Not vacuous: both agents and replies from outside the inbox, and a backlog.
      expect(want.perAgent.map((a) => a.agent).sort()).toEqual(['anna', 'boris', 'outside']);
      expect(want.perAgent.find((a) => a.agent === 'anna')!.answered).toBe(2);
      expect(want.answered).toBeGreaterThan(10);
      expect(want.open).toBeGreaterThan(0);

      const figure = (name: string) => sheet.locator(`[data-figure="${name}"]`).textContent();
      await expect.poll(() => figure('answered')).toBe(String(want.answered));
      expect(await figure('open')).toBe(String(want.open));
      expect(await figure('median')).toBe(formatSeconds(w, want.medianResponseSeconds));
      expect(await figure('p90')).toBe(formatSeconds(w, want.p90ResponseSeconds));
      expect(await figure('sla')).toBe(formatShare(w, want.slaMetShare));
      expect(await figure('first')).toBe(
        `${want.firstResponse.count}: медиана ${formatSeconds(w, want.firstResponse.medianSeconds)}`,
      );
      const rows = async (name: string) =>
        (await sheet.getByRole('table', { name }).locator('tbody tr').all()).map((r) =>
          r.locator('th, td').allTextContents(),
        );
      const agentRows = await Promise.all(await rows('По сотрудникам'));
      expect(agentRows).toEqual(
        want.perAgent.map((a) => [
          a.agent === 'outside' ? w('outside') : a.agent,
          String(a.answered),
          formatSeconds(w, a.medianResponseSeconds),
          formatShare(w, a.slaMetShare),
        ]),
      );
      const dayRows = await Promise.all(await rows('По дням'));
      expect(dayRows).toEqual(
        want.perDay.map((d) => [
          d.day,
          String(d.answered),
          formatSeconds(w, d.medianResponseSeconds),
          formatSeconds(w, d.p90ResponseSeconds),
          formatShare(w, d.slaMetShare),
          String(d.open),
        ]),
      );
      // Three charts, each an image with a text equivalent; one bar per day with answers.
      const charts = sheet.getByRole('img');
      expect(await charts.count()).toBe(3);
      for (const label of await charts.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))) {
        expect(label).toMatch(/«По дням»/);
      }
      expect(await sheet.locator('.bars-sla rect').count()).toBe(
        want.perDay.filter((d) => d.answered > 0).length,
      );
      expect(await sheet.locator('.line-backlog circle').count()).toBe(want.perDay.length);

      await page.screenshot({ path: join(shots, 'reports-desktop.png') });
      const axe = await new AxeBuilder({ page }).include('.reports-sheet').analyze();
      const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    }, 90_000);

    it('downloads the same CSV as ym-chats report --csv', async () => {
      const shown = await last30(page);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        dialog(page).getByRole('link', { name: 'Скачать CSV' }).click(),
      ]);
      const got = readFileSync((await download.path())!, 'utf8');
      const cli = spawnSync(
        process.execPath,
        [
          CLI,
          'report',
          '--csv',
          '--store',
          h.store.target,
          '--business',
          String(BUSINESS),
          '--from',
          shown.from,
          '--to',
          shown.to,
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
      );
      expect(cli.status, cli.stderr).toBe(0);
      expect(got).toBe(cli.stdout);
      const lines = got.trim().split('\n');
      expect(lines.length).toBe(1 + shown.answered + shown.open);
      expect(lines.some((l) => l.includes(',anna,'))).toBe(true);
      expect(lines.some((l) => l.includes(',boris,'))).toBe(true);
    }, 60_000);

    it('works by keyboard: Tab stays in the dialog, Esc closes it, the focus returns', async () => {
      const sheet = dialog(page);
      const inside = () => page.evaluate(() => !!document.activeElement?.closest('.reports-sheet'));
      // Focus lost to the page (a re-render removed the focused control): Tab still lands inside.
      await page.evaluate(() => {
        const gone = document.createElement('button');
        document.querySelector('.reports-sheet')?.append(gone);
        gone.focus();
        gone.remove();
      });
      for (let i = 0; i < 8; i++) {
        await page.keyboard.press('Tab');
        expect(await inside()).toBe(true);
      }
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press('Shift+Tab');
        expect(await inside()).toBe(true);
      }
      // A custom period from the keyboard: the days of the form, both included.
      await sheet.getByLabel('Период').focus();
      await sheet.getByLabel('Период').selectOption('custom');
      const to = (await last30(page)).to.slice(0, 10);
      const from = new Date(Date.parse(to) - 2 * 86_400_000).toISOString().slice(0, 10);
      await sheet.getByLabel('С', { exact: true }).fill(from);
      await sheet.getByLabel('По', { exact: true }).fill(to);
      await sheet.getByLabel('По', { exact: true }).press('Enter');
      await expect
        .poll(() => sheet.getByRole('table', { name: 'По дням' }).locator('tbody th').allTextContents())
        .toEqual([from, new Date(Date.parse(to) - 86_400_000).toISOString().slice(0, 10), to]);
      await page.keyboard.press('Escape');
      await expect.poll(() => sheet.count()).toBe(0);
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Отчёты');
      // Opened by a click that leaves the focus where it was (Safari's way with buttons): it still
      // comes back to the button, not to the page's body.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.getByRole('button', { name: 'Отчёты' }).dispatchEvent('click');
      await sheet.getByLabel('Период').waitFor();
      await page.keyboard.press('Escape');
      await expect.poll(() => sheet.count()).toBe(0);
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Отчёты');
      // A click on the dialog's text leaves the focus on the page's body: Esc still closes the dialog, and
      // the page's letter shortcuts do nothing under it.
      await page.getByRole('button', { name: 'Отчёты' }).click();
      await sheet.getByRole('heading', { name: 'Отчёты' }).click();
      await expect.poll(() => page.evaluate(() => document.activeElement === document.body)).toBe(true);
      await page.keyboard.press('?');
      expect(await page.getByRole('dialog', { name: 'Горячие клавиши' }).count()).toBe(0);
      await page.keyboard.press('Escape');
      await expect.poll(() => sheet.count()).toBe(0);
      // Esc pressed the moment the dialog appears, before the browser paints it (a busy CI machine's
      // keypress can land there): the dialog already has its keys and closes.
      const closed = await page.evaluate(async () => {
        (document.activeElement as HTMLElement | null)?.blur();
        const appeared = new Promise<void>((resolve) => {
          const watch = new MutationObserver(() => {
            if (!document.querySelector('.reports-sheet')) return;
            watch.disconnect();
            document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
            resolve();
          });
          watch.observe(document.body, { childList: true, subtree: true });
        });
        const open = Array.from(document.querySelectorAll('button')).find((b) => b.textContent === 'Отчёты');
        open?.click();
        await appeared;
        await new Promise((r) => setTimeout(r, 300));
        return document.querySelector('.reports-sheet') === null;
      });
      expect(closed).toBe(true);
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Отчёты');
    }, 60_000);

    it('fits a 390 px phone; axe finds nothing serious there', async () => {
      const phone = await login(
        await b.context({ viewport: { width: 390, height: 844 } }),
        'boris',
        'boris-pass',
      );
      await phone.getByRole('button', { name: 'Отчёты', exact: true }).click();
      await dialog(phone).getByRole('table', { name: 'По дням' }).waitFor();
      await phone.screenshot({ path: join(shots, 'reports-phone.png') });
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const overflowing = await phone.evaluate(() =>
        Array.from(document.querySelectorAll('.reports-sheet *'))
          .filter((el) => !el.closest('.table-scroll') && el.getBoundingClientRect().right > 390.5)
          .map((el) => `${el.tagName}.${el.className}: ${el.textContent}`),
      );
      expect(overflowing).toEqual([]);
      const axe = await new AxeBuilder({ page: phone }).include('.reports-sheet').analyze();
      expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      await phone.context().close();
    }, 60_000);

    it('offers a business picker to an agent of two businesses', async () => {
      const gleb = await login(await b.context(), 'gleb', 'gleb-pass');
      await gleb.getByRole('button', { name: 'Отчёты', exact: true }).click();
      const sheet = dialog(gleb);
      const picker = sheet.getByLabel('Магазин');
      expect(await picker.locator('option').allTextContents()).toEqual([
        String(BUSINESS),
        String(OTHER_BUSINESS),
      ]);
      await expect.poll(() => sheet.locator('[data-figure="answered"]').textContent()).not.toBe('0');
      await picker.selectOption(String(OTHER_BUSINESS));
      // The other business has no chats: nothing answered, and the download asks for it.
      await expect.poll(() => sheet.locator('[data-figure="answered"]').textContent()).toBe('0');
      expect(await sheet.getByRole('link', { name: 'Скачать CSV' }).getAttribute('href')).toContain(
        `/api/businesses/${OTHER_BUSINESS}/report?`,
      );
      await gleb.context().close();
    }, 60_000);

    it('speaks English when the page does', async () => {
      const english = await login(await b.context(), 'anna', 'anna-pass');
      await english.getByRole('button', { name: 'English' }).click();
      await english.getByRole('button', { name: 'Reports', exact: true }).click();
      const sheet = english.getByRole('dialog', { name: 'Reports' });
      await sheet.getByRole('table', { name: 'By day' }).waitFor();
      expect(await sheet.getByRole('table', { name: 'By agent' }).locator('thead').textContent()).toBe(
        'AgentAnsweredMedian responseWithin target',
      );
      expect(await sheet.getByRole('link', { name: 'Download CSV' }).count()).toBe(1);
      await english.context().close();
    }, 60_000);

    it('the route: only the agent’s businesses, and a clear 400 for a bad period', async () => {
      const vera = await login(await b.context(), 'vera', 'vera-pass');
      const refused = await apiGet(vera, `${h.url}/api/businesses/${BUSINESS}/report?days=7`);
      expect(refused.status()).toBe(403);
      expect(await refused.text()).not.toContain('answered');
      const csv = await apiGet(vera, `${h.url}/api/businesses/${BUSINESS}/report?format=csv`);
      expect(csv.status()).toBe(403);
      await vera.context().close();

      const bad = async (query: string) => {
        const res = await apiGet(page, `${h.url}/api/businesses/${BUSINESS}/report?${query}`);
        expect(res.status()).toBe(400);
        return ((await res.json()) as { error: { code: string; message: string } }).error;
      };
      expect(await bad('from=yesterday')).toMatchObject({
        code: 'BAD_PERIOD',
        message: expect.stringMatching(/^from "yesterday" is not a date \(YYYY-MM-DD/),
      });
      expect((await bad('from=2026-02-30&to=2026-03-02')).message).toMatch(/from "2026-02-30" is not a date/);
      expect((await bad('from=2026-12-02&to=2026-12-01')).message).toMatch(/must be before to/);
      expect((await bad('days=0')).message).toMatch(/days "0" is not a whole number from 1 to 366/);
      expect((await bad('days=7&from=2026-12-01')).message).toMatch(/either days or from\/to/);
      expect((await bad('from=2020-01-01&to=2026-01-01')).message).toMatch(/longer than 366 days/);
      expect(await bad('format=xml')).toMatchObject({ code: 'BAD_FORMAT' });
      // A date alone is a whole UTC day without business hours, `to` not included.
      const day = await apiGet(
        page,
        `${h.url}/api/businesses/${BUSINESS}/report?from=2026-12-01&to=2026-12-02`,
      );
      expect(await day.json()).toMatchObject({
        from: '2026-12-01T00:00:00.000Z',
        to: '2026-12-02T00:00:00.000Z',
        timeZone: 'UTC',
      });
    }, 60_000);
  });
}
