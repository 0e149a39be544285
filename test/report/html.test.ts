// The HTML report: one self-contained file under 1 MB for the default run, and in a real
// headless Chromium (Debian's, driven by playwright-core; never a downloaded build) it
// loads with no console error and no request beyond itself, a failed run shows its
// failure at its YAML position, the filters work, and a screenshot is taken. Where no
// chromium is installed the browser tests skip with a message (.ci/run installs it).

import { expect } from 'chai';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render } from '../../runner/report/index.js';
import { deriveEvents, runEvents } from '../../runner/report/timeline.js';
import { allKindsOutputs, shippedOutputs, skipWithout } from './outputs.js';

const CHROMIUM = '/usr/bin/chromium';
// the flags of a browser that must not reach the network or update itself
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = process.env['BRINGUP_SCREENSHOT_DIR'] ?? path.join(tmpdir(), 'bringup-html-report');

type PW = typeof import('playwright-core');
type Browser = Awaited<ReturnType<PW['chromium']['launch']>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

async function open(browser: Browser, html: string, name: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.html`);
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  return { page, problems, requests };
}

describe('report/html', function () {
  this.timeout(180_000);

  it('the default run: one file under 1 MB, nothing fetched from anywhere', async () => {
    const o = await shippedOutputs();
    const html = await render('html', o.tree, o.opts);
    const bytes = Buffer.byteLength(html);
    process.stdout.write(`      (default run: ${o.tree.suites.flatMap((s) => s.runs).length} runs, ${bytes} bytes of HTML)\n`);
    expect(bytes).to.be.below(1024 * 1024);
    expect(html).to.match(/Content-Security-Policy" content="default-src 'none';/);
    expect(html).to.not.match(/\b(src|href)="(?!data:)/);
    // the same bytes every time: no clock, no host
    expect(await render('html', o.tree, o.opts)).to.equal(html);
  });

  it('timeline events come from the steps and the log when the target records none', async () => {
    const o = await allKindsOutputs();
    const runs = o.tree.suites[0]!.runs;
    const board = o.opts.context!.boards['demo-board'];
    const unbind = deriveEvents(runs[2]!, board);
    expect(unbind.map((e) => [e.kind, e.device, e.ok, e.step])).to.deep.equal([['report', 'dev0', false, 2]]);
    expect(unbind[0]!.usec).to.equal(500);
    const hotplug = deriveEvents(runs[5]!, board);
    expect(hotplug.map((e) => [e.kind, e.device, e.step])).to.deep.equal([
      ['report', 'dev1', 2],
      ['report', 'dev1', 2],
    ]);
    // a target's own record wins
    const own = [{ usec: 1, device: 'dev0', kind: 'bind' as const, ok: true, text: 'bound by the target' }];
    expect(runEvents({ ...runs[2]!, events: own }, board)).to.equal(own);
  });

  describe('in headless Chromium', () => {
    let pw: PW | undefined;
    let browser: Browser | undefined;
    before(async function () {
      if (!existsSync(CHROMIUM)) return;
      pw = await import('playwright-core');
      browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
    });
    after(async () => {
      await browser?.close();
    });
    beforeEach(function () {
      if (!browser) skipWithout(this, CHROMIUM, 'apt-get install chromium');
    });

    it('the default run loads with no console error and no request, every run listed; a screenshot', async () => {
      const o = await shippedOutputs();
      const { page, problems, requests } = await open(browser!, await render('html', o.tree, o.opts), 'default');
      const n = o.tree.suites.flatMap((s) => s.runs).length;
      expect(await page.locator('details.run').count()).to.equal(n);
      expect(await page.locator('#shown').textContent()).to.equal(`${n} of ${n} shown`);
      // every board's topology, with its IOMMUs and their clients
      expect(await page.locator('#boards .board').count()).to.equal(Object.keys(o.opts.context!.boards).length);
      expect(await page.locator('#board-salvator-x-h3 .topo-text').textContent()).to.include('IOMMU e6740000.mmu (ipmmu-vmsa), under e67b0000.mmu: e6700000.dma-controller, e6800000.ethernet');
      // an XFAIL run opened: its timeline marks and its highlighted lines
      await page.fill('#f-text', 'rcar-dma-teardown.unbind-releases-managed-dma [salvator-x-h3 v5.0]');
      const run = page.locator('details.run:not([hidden])');
      expect(await run.count()).to.equal(1);
      await run.locator('summary').click();
      // the body is drawn by the details' toggle event, which fires after the click returns
      await run.locator('svg.timeline').waitFor();
      expect(await run.locator('svg.timeline .mark.report').count()).to.be.greaterThan(0);
      expect(await run.locator('svg.timeline .mark.unbind').count()).to.be.greaterThan(0);
      expect(await run.locator('ol.dmesg li.hit').count()).to.be.greaterThan(0);
      const shot = path.join(SHOTS, 'default.png');
      await page.screenshot({ path: shot, fullPage: false });
      expect(statSync(shot).size).to.be.greaterThan(10_000);
      expect(problems).to.deep.equal([]);
      expect(requests).to.deep.equal([requests[0]]);
      expect(requests[0]).to.match(/^file:/);
      await page.close();
    });

    it('a failed run shows its failure at its YAML file:line; the filters hide and show runs; a screenshot', async () => {
      const o = await allKindsOutputs();
      const { page, problems } = await open(browser!, await render('html', o.tree, o.opts), 'all-kinds');
      const failed = page.locator('details.run[data-status="FAIL"]').first();
      // open without a click, the failure visible with its position
      expect(await failed.getAttribute('open')).to.not.equal(null);
      const failure = failed.locator('pre.failure');
      expect(await failure.isVisible()).to.equal(true);
      expect(await failure.locator('.pos').first().textContent()).to.equal('suites/demo.yaml:22:9');
      expect(await failure.textContent()).to.include('log: no line matches "Adding to iommu group" after line 3 (pattern 2 of 2)');
      expect(await failed.locator('ol.dmesg li.hit').count()).to.equal(1);
      // the ERROR run says why, the XPASS run is failed too
      expect(await page.locator('details.run[data-status="ERROR"] pre.failure').textContent()).to.include('model invariant: dev0 <still> "bound" & busy');
      expect(await page.locator('details.run[data-status="XPASS"]').getAttribute('open')).to.not.equal(null);
      const shot = path.join(SHOTS, 'all-kinds.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).to.be.greaterThan(10_000);

      expect(await page.locator('#shown').textContent()).to.equal('7 of 7 shown');
      await page.locator('input[data-verdict="PASS"]').uncheck();
      await page.locator('input[data-verdict="XFAIL"]').uncheck();
      expect(await page.locator('#shown').textContent()).to.equal('5 of 7 shown');
      expect(await page.locator('details.run[data-status="PASS"]').isHidden()).to.equal(true);
      await page.selectOption('#f-kernel', 'v5.0');
      expect(await page.locator('#shown').textContent()).to.equal('1 of 7 shown');
      await page.selectOption('#f-board', 'demo-board');
      expect(await page.locator('details.run:not([hidden]) .label').textContent()).to.equal('demo.unbind-fixed [demo-board v5.0]');
      // the board's topology: the IOMMU, its client, a supplier
      const topo = await page.locator('#board-demo-board .topo-text').textContent();
      expect(topo).to.include('IOMMU e67b0000.mmu (ipmmu-vmsa): dev0').and.include('dev1 waits for dev0');
      expect(problems).to.deep.equal([]);
      await page.close();
    });

    it('run text is text: markup in a log line or a message is shown, never run', async () => {
      const o = await allKindsOutputs();
      const tree = structuredClone(o.tree);
      const run = tree.suites[0]!.runs[1]!;
      run.log![0]!.text = '<img src=x onerror="document.title=\'pwned\'"></script><script>document.title="pwned"</script>';
      const { page, problems } = await open(browser!, await render('html', tree, o.opts), 'markup');
      expect(await page.title()).to.not.equal('pwned');
      expect(await page.locator('details.run[data-status="FAIL"] ol.dmesg').first().textContent()).to.include('<script>document.title="pwned"</script>');
      expect(problems).to.deep.equal([]);
      await page.close();
    });
  });
});
