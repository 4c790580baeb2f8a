// Lighthouse (mobile preset, simulated throttling) on several pages, several times, in one
// Chromium and one Node process: tests/test_lighthouse.py runs it. Starting Node, loading
// Lighthouse and launching the browser once instead of once per run saves seconds per run.
//
// Argument: JSON {"urls": [...], "runs": N, "categories": [...], "chromeFlags": [...],
// "lowTierPhone": 264}. Rounds run every page once before the next round, so a busy moment of
// the host falls on one run of each page rather than on every run of one page. A page stops
// as soon as the median performance of its N runs is decided: once a majority of N runs are
// 100, or a majority are below 100, the remaining runs cannot change the median's verdict.
// Each run prints one JSON line: {"url", "round", "hostIndex", "slowdown", "lhr"}.
//
// The CPU slowdown is calibrated before each run as Chrome DevTools does: this host's benchmark
// index over the emulated phone's, between 1x and 4x (see test_lighthouse.py).
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import {pageFunctions} from 'lighthouse/core/lib/page-functions.js';

const options = JSON.parse(process.argv[2]);

function calibratedSlowdown() {
  const hostIndex = pageFunctions.computeBenchmarkIndex();
  const slowdown = Math.round(10 * Math.min(4, Math.max(1, hostIndex / options.lowTierPhone))) / 10;
  return {hostIndex, slowdown};
}

const majority = Math.floor(options.runs / 2) + 1;
const verdicts = new Map(options.urls.map((url) => [url, {full: 0, short: 0}]));
const decided = (url) => Math.max(verdicts.get(url).full, verdicts.get(url).short) >= majority;

const chrome = await chromeLauncher.launch({chromeFlags: options.chromeFlags});
try {
  for (let round = 0; round < options.runs; round++) {
    for (const url of options.urls.filter((url) => !decided(url))) {
      const {hostIndex, slowdown} = calibratedSlowdown();
      const result = await lighthouse(url, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        // Accessibility, best practices and SEO do not depend on the host's speed: they are
        // audited in the first round; later rounds only settle the median performance.
        onlyCategories: round === 0 ? options.categories : ['performance'],
        throttling: {cpuSlowdownMultiplier: slowdown},
        // Neither counts in any category (weight 0): the full-page screenshot is for the HTML
        // report, and the back/forward cache check navigates away and back. Without them a run
        // takes about 1.1 s less CPU here (7.2 s instead of 8.3 s, medians of four pairs).
        disableFullPageScreenshot: true,
        skipAudits: ['bf-cache'],
      });
      const performance = result.lhr.categories.performance?.score;
      verdicts.get(url)[Math.round(100 * (performance ?? 0)) === 100 ? 'full' : 'short'] += 1;
      console.log(JSON.stringify({url, round, hostIndex, slowdown, lhr: result.lhr}));
    }
  }
} finally {
  await chrome.kill();
}
