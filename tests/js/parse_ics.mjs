// Parse an .ics file with ical.js (Mozilla's parser, used by Thunderbird) and print its events
// as JSON, so tests/publish can check how a real client reads what we publish.
// Usage: node parse_ics.mjs FILE.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const root = new ICAL.Component(ICAL.parse(text));
// Register every VTIMEZONE of the file, as Thunderbird does for a subscribed calendar, so
// TZID=Europe/Oslo resolves through *our* rules and not a built-in copy.
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtz);
}
const oslo = ICAL.TimezoneService.get("Europe/Oslo");

function when(t) {
  if (!t) return null;
  const out = { value: t.toString(), isDate: t.isDate, tzid: t.zone ? t.zone.tzid : null };
  if (!t.isDate) {
    out.epoch = t.toUnixTime();
    out.oslo = oslo ? t.convertToZone(oslo).toString() : null;
  }
  return out;
}

const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
    categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
    start: when(event.startDate),
    end: when(event.endDate),
  };
});
process.stdout.write(JSON.stringify({
  calname: root.getFirstPropertyValue("x-wr-calname"),
  method: root.getFirstPropertyValue("method"),
  timezones: root.getAllSubcomponents("vtimezone").map((c) => c.getFirstPropertyValue("tzid")),
  events,
}));
