// Browser-side checks that an integration test requests from inside the extension host, where it cannot
// see the rendered page. A test logs `[probe] <name> <JSON input>` and the runner passes each log line
// to answerProbe(). That runs the probe on the page and writes the result to `input.resultFile`, which
// the test reads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { delay } from './harness.mjs';

const probeLine = /^\[probe\] (\S+) (\{.*\})\s*$/m;

/** Time for a webview to render after the test opened it. */
const renderTimeoutMs = 20_000;

const probes = {
  /**
   * Clicks the first element that matches `input.selector` and contains `input.text` in any frame, as a
   * person clicks a button inside a webview. Reports `clicked: false` when none appeared in time.
   */
  async clickInFrames(page, { selector, text }) {
    const deadline = Date.now() + renderTimeoutMs;
    for (;;) {
      for (const frame of page.frames()) {
        const target = frame.locator(selector).filter({ hasText: text });
        if ((await target.count().catch(() => 0)) === 0) continue;
        await target.first().click({ timeout: 5_000 });
        return { clicked: true, frame: frame.url().split('?')[0] };
      }
      if (Date.now() > deadline) return { clicked: false, frames: page.frames().length };
      await delay(500);
    }
  },

  /**
   * Looks in every frame for the element whose text is exactly `input.marker`, a review carrying HTML.
   * Reports whether the markup stayed text: the element has no child elements and is visible, and no
   * frame contains an img or script made from the review or a flag its code would set.
   */
  async errorAnalysisReview(page, { marker }) {
    const deadline = Date.now() + renderTimeoutMs;
    for (;;) {
      const reports = await Promise.all(page.frames().map((frame) => frame.evaluate(inspectReview, marker).catch(() => undefined)));
      const found = reports.find((report) => report?.found);
      const summary = {
        frames: reports.length,
        imagesFromReview: sum(reports, 'imagesFromReview'),
        scriptsFromReview: sum(reports, 'scriptsFromReview'),
        injectedFlag: reports.map((report) => report?.injectedFlag).find((flag) => flag !== null && flag !== undefined) ?? null,
      };
      if (found) return { ...found, ...summary, found: true };
      if (Date.now() > deadline) return { ...summary, found: false };
      await delay(500);
    }
  },
};

/**
 * Runs the probe that `message` requests, when it is a probe line, and writes its result as JSON next to
 * the path the test gave, then renames it so the test never reads half a file. Returns false for other
 * log lines. The result file must lie inside the session folder.
 */
export function answerProbe(page, session, message) {
  const match = probeLine.exec(message);
  if (!match) return false;
  const [, name, json] = match;
  void (async () => {
    const input = JSON.parse(json);
    const resultFile = path.resolve(input.resultFile);
    if (!resultFile.startsWith(session.folder + path.sep)) {
      console.error(`[harness] probe ${name}: result file ${resultFile} lies outside ${session.folder}`);
      return;
    }
    const probe = probes[name];
    const result = probe ? await probe(page, input) : { error: `the harness has no probe named "${name}"` };
    fs.writeFileSync(`${resultFile}.partial`, JSON.stringify(result));
    fs.renameSync(`${resultFile}.partial`, resultFile);
    console.log(`[harness] probe ${name}: ${JSON.stringify(result)}`);
  })().catch((error) => console.error(`[harness] probe ${name} failed: ${error instanceof Error ? error.stack : String(error)}`));
  return true;
}

/** Runs inside a frame of the page, so it uses only the DOM. */
function inspectReview(marker) {
  const flag = window.finetuneInjected;
  const report = {
    found: false,
    imagesFromReview: [...document.querySelectorAll('img')].filter((image) => image.getAttribute('src') === 'x').length,
    scriptsFromReview: [...document.querySelectorAll('script')].filter((script) => script.textContent.includes('finetuneInjected')).length,
    injectedFlag: flag === undefined ? null : flag,
  };
  // Ancestors of the review have the same text when it is their only content: the last match is the innermost.
  const element = [...document.querySelectorAll('body *')].filter((candidate) => candidate.textContent === marker).at(-1);
  if (!element) return report;

  element.scrollIntoView({ block: 'center' });
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  return {
    ...report,
    found: true,
    tag: element.tagName.toLowerCase(),
    className: element.className,
    textContent: element.textContent,
    childElements: element.children.length,
    visible: box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none',
  };
}

function sum(reports, key) {
  return reports.reduce((total, report) => total + (report?.[key] ?? 0), 0);
}
