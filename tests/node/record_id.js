// An independent implementation of the exchange record id (format 2.0) as docs/exchange-format.md
// specifies it, in plain Node.js: reads docs/record-id-vectors.json (path in argv[2]) and prints, per
// vector, the identity, canonical JSON and record id it computes, as one JSON line.
"use strict";
const crypto = require("crypto");
const fs = require("fs");

const SEPARATORS = new Set(Array.from(" -._/\\\t\r\n\u00a0\u00b7\u2010\u2011\u2012\u2013\u2014\u2212\u30fb\uff65" +
  "\u200b\u200c\u200d\u2060\ufeff"));
const WHITE = new Set(Array.from("\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680" +
  "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"));

function strip(text) {
  const chars = Array.from(text);
  let start = 0, end = chars.length;
  while (start < end && WHITE.has(chars[start])) start++;
  while (end > start && WHITE.has(chars[end - 1])) end--;
  return chars.slice(start, end).join("");
}

function compact(text) {  // identifiers: at most 128 code points, else compared as text
  if (Array.from(text).length > 128) return null;
  return Array.from(text.normalize("NFKC")).filter((c) => !SEPARATORS.has(c)).join("").toUpperCase();
}

function identityValue(value, identifier) {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") return value;
  let text = strip(value);
  if (identifier) { const folded = compact(value); if (folded !== null) text = folded; }
  return text === "" ? null : text;
}

function jcs(value) {  // RFC 8785: JSON.stringify writes strings and numbers as JCS wants them
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(jcs).join(",") + "]";
  return "{" + Object.keys(value).sort().map((k) => JSON.stringify(k) + ":" + jcs(value[k])).join(",") + "}";
}

function uuid5(namespace, name) {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const hash = crypto.createHash("sha1").update(Buffer.concat([ns, Buffer.from(name, "utf8")])).digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
for (const v of doc.vectors) {
  const identity = {};
  for (const key of v.identity_fields) identity[key] = identityValue(v.data[key], v.identifier_fields.includes(key));
  const canonical = jcs({ class: v.class, identity });
  console.log(JSON.stringify({ identity, canonical, record_id: `${v.class}:${uuid5(doc.namespace, canonical)}` }));
}
