// Drives Debian's Chromium (playwright-core, no downloaded browser) for tests/web/test_browser.py.
// Usage: node browser.mjs plan.json  ->  prints one JSON object of findings on stdout.
// The Python test decides pass/fail; this script only looks, clicks and reports.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };
const out = { axe: {}, errors: [], filters: null, keyboard: null, widget: null, widgetEn: null, screen: null };

const browser = await chromium.launch({ executablePath: plan.chromium, args: ARGS, headless: true });
const shot = (page, name) => page.screenshot({ path: `${plan.artifacts}/${name}.png`, fullPage: true });
async function newPage(viewport) {
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport], locale: "nb-NO", timezoneId: "Europe/Oslo" });
  const page = await context.newPage();
  page.on("pageerror", (err) => out.errors.push(`${page.url()}: ${err.message}`));
  page.on("console", (msg) => { if (msg.type() === "error") out.errors.push(`${page.url()}: console: ${msg.text()}`); });
  return page;
}
async function axe(page) {
  // evaluate() runs through the DevTools protocol, so our own strict CSP does not block axe.
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
}

try {
  // 1. Every page at both widths: axe-core and a screenshot.
  for (const viewport of Object.keys(VIEWPORTS)) {
    const page = await newPage(viewport);
    for (const [name, path] of Object.entries(plan.pages)) {
      await page.goto(plan.base + path, { waitUntil: "networkidle" });
      if (name === "embed_help") await page.waitForFunction(() => document.querySelector("aggregator-events")?.shadowRoot?.querySelector("li"), null, { timeout: 10000 });
      out.axe[`${name}-${viewport}`] = await axe(page);
      await shot(page, `${name}-${viewport}`);
    }
    await page.context().close();
  }

  // 2. Filters, driven like a visitor on a phone: open the box, tick a category, submit.
  {
    const page = await newPage("phone");
    await page.goto(plan.base + "/?feed=asker", { waitUntil: "networkidle" });
    await page.click("details.filterbox summary");
    await page.check(`input[name=category][value="${plan.category}"]`);
    await Promise.all([page.waitForNavigation(), page.click("form.filters button[type=submit]")]);
    const url = new URL(page.url());
    out.filters = {
      category: url.searchParams.getAll("category"),
      titles: await page.$$eval(".listing a.title", (as) => as.map((a) => a.textContent)),
      checked: await page.isChecked(`input[name=category][value="${plan.category}"]`),
    };
    await shot(page, "filtered-phone");
    await page.context().close();
  }

  // 3. Keyboard: the first Tab reaches the skip link, Enter moves to the content, and the
  //    filter box opens from the keyboard.
  {
    const page = await newPage("desktop");
    await page.goto(plan.base + "/", { waitUntil: "networkidle" });
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => document.activeElement.className);
    const skipVisible = await page.evaluate(() => document.activeElement.getBoundingClientRect().left >= 0);
    await page.keyboard.press("Enter");
    const afterSkip = await page.evaluate(() => location.hash);
    const stops = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Tab");
      stops.push(await page.evaluate(() => document.activeElement.tagName.toLowerCase() + (document.activeElement.textContent || "").trim().slice(0, 20)));
      if (stops[stops.length - 1].startsWith("summary")) break;
    }
    await page.keyboard.press("Enter");
    const opened = await page.evaluate(() => document.querySelector("details.filterbox").open);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    out.keyboard = { first, skipVisible, afterSkip, stops, opened, outline };
    await page.context().close();
  }

  // 4. The widget inside a foreign page on another port, with that page's font and colour.
  {
    const page = await newPage("desktop");
    await page.goto(plan.foreign, { waitUntil: "networkidle" });
    await page.waitForFunction(() => [...document.querySelectorAll("aggregator-events")].every((h) => h.shadowRoot?.querySelector("ul,p")), null, { timeout: 10000 });
    // The English widget's rows (time, title): its times are "6:00 PM"-style.
    out.widgetEn = await page.evaluate(() => [...document.querySelector("aggregator-events[lang=en]").shadowRoot.querySelectorAll("li")]
      .map((li) => [li.querySelector("time").textContent, li.querySelector("a, span:not(.w)").textContent]));
    out.widget = await page.evaluate(() => {
      const host = document.querySelector("aggregator-events");
      const root = host.shadowRoot;
      const li = root.querySelector("li");
      const all = [...root.querySelectorAll("*")];
      return {
        items: [...root.querySelectorAll("li")].map((n) => n.textContent),
        rows: [...root.querySelectorAll("li")].map((li) => [li.querySelector("time").textContent, li.querySelector("a, span:not(.w)").textContent]),
        titles: [...root.querySelectorAll("li > a, li > span:not(.w)")].map((n) => n.textContent),
        hrefs: [...root.querySelectorAll("a")].map((a) => a.getAttribute("href")),
        font: li ? getComputedStyle(li).fontFamily : null,
        color: li ? getComputedStyle(li).color : null,
        tags: [...new Set(all.map((n) => n.tagName.toLowerCase()))],
        handlers: all.flatMap((n) => [...n.attributes].filter((a) => a.name.startsWith("on") || a.name === "style").map((a) => a.name)),
        hostScripts: document.querySelectorAll("script").length,
        alerted: window.__alerted || 0,
      };
    });
    await shot(page, "widget-foreign-desktop");
    await page.context().close();
  }

  // 5. The screen: refreshes by itself, keeps the programme when the server is away, and
  //    shows it again when reloaded while the server is still away (service worker + cache).
  {
    const page = await newPage("desktop");
    await page.goto(plan.base + plan.screen, { waitUntil: "networkidle" });
    const worker = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active && r.active.scriptURL));
    const before = await page.$$eval(".screen .title", (n) => n.map((x) => x.textContent));
    await fetch(plan.control + "/add");  // the test process stores a new event now
    await page.waitForFunction((t) => [...document.querySelectorAll(".screen .title")].some((n) => n.textContent === t), plan.added, { timeout: 15000 });
    const after = await page.$$eval(".screen .title", (n) => n.map((x) => x.textContent));
    await fetch(plan.control + "/down");  // the server now answers 503
    await page.waitForSelector("#screen-state.offline", { timeout: 15000 });
    const whileDown = await page.$$eval(".screen .title", (n) => n.map((x) => x.textContent));
    await shot(page, "screen-offline-desktop");
    const state = await page.textContent("#screen-state");
    // The panel restarts while the server is still away: the worker answers from the cache.
    const reload = await page.reload({ waitUntil: "load" }).then((r) => r && r.status(), (e) => String(e));
    await page.waitForSelector("#screen-state.offline", { timeout: 15000 });
    const afterReload = await page.$$eval(".screen .title", (n) => n.map((x) => x.textContent));
    const styled = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await shot(page, "screen-reloaded-offline-desktop");
    out.screen = { worker, before, after, whileDown, state, reload, afterReload, styled,
      stateAfterReload: await page.textContent("#screen-state") };
    await page.context().close();
  }
} catch (err) {
  out.errors.push(`driver: ${err.stack || err}`);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out));
