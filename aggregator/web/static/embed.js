// <aggregator-events feed="borgen" limit="5" category="tur,kurs" lang="nb"> – lists upcoming
// events from this server's JSON Feed on any page. No dependencies. Source text is untrusted:
// it is only ever set with textContent, and links are kept only when they are http(s).
// The shadow root inherits the host page's font and colours (font: inherit; color: inherit).
const ORIGIN = new URL(import.meta.url).origin;
const KEYS = ["category", "audience", "place", "source"];
const T = { nb: ["Ingen kommende arrangementer.", "Avlyst", "Kunne ikke hente arrangementer."], en: ["No upcoming events.", "Cancelled", "Could not load events."] };
const CSS = ":host{display:block;font:inherit;color:inherit}ul{list-style:none;margin:0;padding:0}li{padding:.4em 0;border-bottom:1px solid color-mix(in srgb,currentColor 20%,transparent)}a{color:inherit;font-weight:600}time,.w{display:block;opacity:.85;font-size:.9em}.x a,.x span:not(.w){text-decoration:line-through}";
// Dates and times as the pages write them (publish/common.py, web/i18n.py): bokmål
// "tir. 1. sep. kl. 18.00–20.00", never the browser's locale (an English browser must not
// turn a Norwegian list into "6:00 PM"); English "Tue 1 Sep, 6:00 PM–8:00 PM". Wall-clock
// parts come from Intl in Europe/Oslo, so both sides of a DST change read right.
const NAMES = {
  nb: ["man. tir. ons. tor. fre. lør. søn.", "jan. feb. mars apr. mai juni juli aug. sep. okt. nov. des."],
  en: ["Mon Tue Wed Thu Fri Sat Sun", "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"],
};
const OSLO = new Intl.DateTimeFormat("en-US", { timeZone: "Europe/Oslo", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", hourCycle: "h23" });
const parts = (d) => { const o = {}; for (const p of OSLO.formatToParts(d)) o[p.type] = +p.value; return o; };
const dateText = (lang, y, m, d) => {
  const [wd, mo] = NAMES[lang].map((s) => s.split(" "));
  const w = wd[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7];
  const text = lang === "en" ? `${w} ${d} ${mo[m - 1]}` : `${w} ${d}. ${mo[m - 1]}`;
  return y === parts(new Date()).year ? text : `${text} ${y}`;
};
const clock = (lang, p) => lang === "en" ? `${p.hour % 12 || 12}:${String(p.minute).padStart(2, "0")} ${p.hour < 12 ? "AM" : "PM"}` : `${String(p.hour).padStart(2, "0")}.${String(p.minute).padStart(2, "0")}`;
function whenText(lang, ev) {
  const s = String(ev.start || "");
  if (ev.all_day) { const [y, m, d] = s.slice(0, 10).split("-").map(Number); return d ? dateText(lang, y, m, d) : ""; }
  const start = new Date(s), end = new Date(String(ev.end || ""));
  if (isNaN(start)) return "";
  const a = parts(start), b = isNaN(end) ? null : parts(end);
  const range = b && end > start && b.year === a.year && b.month === a.month && b.day === a.day ? `${clock(lang, a)}–${clock(lang, b)}` : clock(lang, a);
  return `${dateText(lang, a.year, a.month, a.day)}${lang === "en" ? "," : " kl."} ${range}`;
}
const safe = (u) => { try { const p = new URL(u); return p.protocol === "https:" || p.protocol === "http:" ? p.href : null; } catch { return null; } };
const el = (tag, text, cls) => { const n = document.createElement(tag); if (text) n.textContent = text; if (cls) n.className = cls; return n; };
class AggregatorEvents extends HTMLElement {
  static observedAttributes = ["feed", "limit", "lang", ...KEYS];
  connectedCallback() { this.load(); }
  attributeChangedCallback() { if (this.isConnected) this.load(); }
  async load() {
    const root = this.shadowRoot || this.attachShadow({ mode: "open" });
    const lang = (this.getAttribute("lang") || document.documentElement.lang || "nb").slice(0, 2) === "en" ? "en" : "nb";
    const feed = (this.getAttribute("feed") || "borgen").replace(/[^a-z0-9_-]/g, "");
    const limit = Math.min(50, Math.max(1, parseInt(this.getAttribute("limit"), 10) || 5));
    const url = new URL(`/feeds/${feed}.json`, this.getAttribute("src") || ORIGIN);
    for (const k of KEYS) for (const v of (this.getAttribute(k) || "").split(",")) if (v.trim()) url.searchParams.append(k, v.trim());
    // A constructed stylesheet, not a <style> element: host pages with a strict CSP (ours
    // included) block inline <style>, but not CSSOM.
    let style = [];
    try { const sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); root.adoptedStyleSheets = [sheet]; } catch { style = [el("style", CSS)]; }
    const list = el("ul");
    try {
      const res = await fetch(url, { mode: "cors" });
      if (!res.ok) throw new Error(res.status);
      const items = ((await res.json()).items || []).slice(0, limit);
      for (const item of items) {
        const ev = item._aggregator || {};
        const li = el("li", "", ev.status === "cancelled" ? "x" : "");
        const href = safe(item.url);
        const title = el(href ? "a" : "span", String(ev.name || item.title || ""));
        if (href) { title.href = href; title.target = "_top"; title.rel = "noopener"; }
        const start = new Date(ev.start || "");
        const time = el("time", whenText(lang, ev));
        if (!isNaN(start)) time.dateTime = start.toISOString();
        li.append(time, title);
        if (ev.status === "cancelled") li.append(" ", el("strong", T[lang][1]));
        if (ev.place) li.append(el("span", String(ev.place), "w"));
        list.append(li);
      }
      root.replaceChildren(...style, items.length ? list : el("p", T[lang][0]));
    } catch {
      root.replaceChildren(...style, el("p", T[lang][2]));
    }
  }
}
if (!customElements.get("aggregator-events")) customElements.define("aggregator-events", AggregatorEvents);
