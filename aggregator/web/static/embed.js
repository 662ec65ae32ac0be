// <aggregator-events feed="borgen" limit="5" category="tur,kurs" lang="nb"> – lists upcoming
// events from this server's JSON Feed on any page. No dependencies. Source text is untrusted:
// it is only ever set with textContent, and links are kept only when they are http(s).
// The shadow root inherits the host page's font and colours (font: inherit; color: inherit).
const ORIGIN = new URL(import.meta.url).origin;
const KEYS = ["category", "audience", "place", "source"];
const T = { nb: ["Ingen kommende arrangementer.", "Avlyst", "Kunne ikke hente arrangementer."], en: ["No upcoming events.", "Cancelled", "Could not load events."] };
const CSS = ":host{display:block;font:inherit;color:inherit}ul{list-style:none;margin:0;padding:0}li{padding:.4em 0;border-bottom:1px solid color-mix(in srgb,currentColor 20%,transparent)}a{color:inherit;font-weight:600}time,.w{display:block;opacity:.85;font-size:.9em}.x a,.x span:not(.w){text-decoration:line-through}";
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
      const when = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "nb-NO", { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Oslo" });
      const day = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "nb-NO", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
      for (const item of items) {
        const ev = item._aggregator || {};
        const li = el("li", "", ev.status === "cancelled" ? "x" : "");
        const href = safe(item.url);
        const title = el(href ? "a" : "span", String(ev.name || item.title || ""));
        if (href) { title.href = href; title.target = "_top"; title.rel = "noopener"; }
        const start = new Date(ev.start || "");
        const time = el("time", isNaN(start) ? "" : ev.all_day ? day.format(new Date(String(ev.start).slice(0, 10))) : when.format(start));
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
