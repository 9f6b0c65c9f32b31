//! JavaScript run in the page for the generic actions. Kept here, in one place, so a reviewer
//! can read exactly what webproof does inside the captured page.

/// One scroll round: to the bottom, wait `arguments[0]` ms, report the page height.
pub const SCROLL_ROUND: &str = r#"
const pause = arguments[0], done = arguments[arguments.length - 1];
window.scrollTo(0, document.documentElement.scrollHeight);
setTimeout(() => done(document.documentElement.scrollHeight), pause);
"#;

/// Waits up to `arguments[1]` ms for selector `arguments[0]` (or just waits when it is null).
pub const WAIT_SLICE: &str = r#"
const sel = arguments[0], ms = arguments[1], done = arguments[arguments.length - 1];
if (sel === null) { setTimeout(() => done(null), ms); }
else {
  const t0 = Date.now();
  (function poll() {
    if (document.querySelector(sel)) done(true);
    else if (Date.now() - t0 >= ms) done(false);
    else setTimeout(poll, 100);
  })();
}
"#;

/// Waits until the document has loaded and no resource has finished loading for
/// `arguments[0]` ms (resource timing entries appear as each load ends), at most
/// `arguments[1]` ms; answers whether the network went idle.
pub const NETWORK_IDLE: &str = r#"
const idle = arguments[0], limit = arguments[1], done = arguments[arguments.length - 1];
performance.setResourceTimingBufferSize(100000);
const t0 = Date.now();
let seen = -1, since = Date.now();
(function poll() {
  const n = performance.getEntriesByType('resource').length;
  if (n !== seen || document.readyState !== 'complete') { seen = n; since = Date.now(); }
  if (Date.now() - since >= idle) done(true);
  else if (Date.now() - t0 >= limit) done(false);
  else setTimeout(poll, 50);
})();
"#;

/// Text (or `selector@attribute`) of named fields; null where nothing matches.
pub const EXTRACT: &str = r#"
const spec = arguments[0], out = {};
for (const [name, raw] of Object.entries(spec)) {
  const at = raw.lastIndexOf('@');
  const sel = at > 0 ? raw.slice(0, at) : raw, attr = at > 0 ? raw.slice(at + 1) : null;
  let el = null;
  try { el = document.querySelector(sel); } catch (e) { out[name] = null; continue; }
  out[name] = el ? (attr ? el.getAttribute(attr) : (el.innerText || el.textContent || '').trim()) : null;
}
return out;
"#;

/// Absolute http(s) URLs of page media: "images", "videos" or "links", without duplicates.
pub const MEDIA_URLS: &str = r#"
const what = arguments[0], seen = new Set(), out = [];
const add = (u) => { try { const a = new URL(u, document.baseURI).href;
  if (/^https?:/.test(a) && !seen.has(a)) { seen.add(a); out.push(a); } } catch (e) {} };
if (what === 'images') {
  for (const i of document.images) add(i.currentSrc || i.src);
  for (const s of document.querySelectorAll('picture source[srcset]')) add(s.srcset.split(',')[0].trim().split(' ')[0]);
} else if (what === 'videos') {
  for (const v of document.querySelectorAll('video')) { if (v.currentSrc) add(v.currentSrc); if (v.src) add(v.src); }
  for (const s of document.querySelectorAll('video source[src]')) add(s.src);
} else {
  const ext = /\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|mp3|mp4|m4a|wav|jpe?g|png|gif|webp)(\?|#|$)/i;
  for (const a of document.querySelectorAll('a[href]')) if (ext.test(a.href)) add(a.href);
}
return out;
"#;

/// Fetches `arguments[0]` with the page's cookies; returns status, type and a data: URL.
pub const FETCH: &str = r#"
const url = arguments[0], done = arguments[arguments.length - 1];
fetch(url, {credentials: 'include'}).then(async (r) => {
  const blob = await r.blob();
  const fr = new FileReader();
  fr.onload = () => done({status: r.status, type: blob.type, data: fr.result});
  fr.onerror = () => done({error: 'reading the body failed'});
  fr.readAsDataURL(blob);
}).catch((e) => done({error: String(e)}));
"#;

/// Manual mode: installed in every document of every tab and frame before the page runs.
/// Reports the operator's clicks, finished field edits (`change`, not keystrokes), form
/// submissions, top-level page loads and tab activations through the DevTools binding
/// `__webproofEvent`. A password (or card) field's value is reported as many bullets as it has
/// characters; the value itself goes, in a report of its own (`secret`), only to webproof's
/// network-archive redactor, in memory, so the request that sends it is archived redacted —
/// it is never journaled.
pub const MANUAL_RECORDER: &str = r#"
(() => {
  // Runs in webproof's own isolated world: the page's scripts cannot see this code or the
  // binding. Only events the browser itself dispatched for the user (isTrusted) are reported,
  // at most 20 a second; a page's synthetic events are ignored.
  if (window.__webproofInstalled) return;
  window.__webproofInstalled = true;
  let budget = 20, last = Date.now();
  const send = (o) => {
    const now = Date.now();
    budget = Math.min(20, budget + (now - last) * 0.02); last = now;
    if (budget < 1) return;
    budget -= 1;
    o.frame = window.top !== window; o.url = location.href;
    try { window.__webproofEvent(JSON.stringify(o)); } catch (e) {} };
  const describe = (el) => {
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && parts.length < 5; n = n.parentElement) {
      let p = n.localName;
      if (n.id) { parts.unshift(p + '#' + CSS.escape(n.id)); break; }
      const sib = n.parentElement ? [...n.parentElement.children].filter((c) => c.localName === n.localName) : [];
      if (sib.length > 1) p += ':nth-of-type(' + (sib.indexOf(n) + 1) + ')';
      parts.unshift(p);
    }
    return parts.join(' > ');
  };
  const secret = (el) => el && (el.type === 'password' || /password|cc-/.test(el.autocomplete || ''));
  const mask = (v) => '\u2022'.repeat([...v].length);
  addEventListener('click', (e) => {
    if (!e.isTrusted) return;
    const el = (e.target.closest && e.target.closest('a,button,input,select,textarea,label,summary,[role=button],[onclick]')) || e.target;
    if (!el || el.nodeType !== 1) return;
    const isInput = el.localName === 'input' || el.localName === 'textarea';
    const text = isInput ? (['submit', 'button', 'reset'].includes(el.type) ? el.value : (el.placeholder || el.name || ''))
                         : (el.innerText || el.alt || el.title || '');
    send({type: 'click', selector: describe(el), text: String(text).trim().slice(0, 200),
          href: el.href ? String(el.href) : null, x: e.clientX, y: e.clientY});
  }, true);
  addEventListener('change', (e) => {
    if (!e.isTrusted) return;
    const el = e.target;
    if (!el || !('value' in el)) return;
    const s = secret(el);
    const v = (el.type === 'checkbox' || el.type === 'radio') ? String(el.checked)
            : (el.type === 'file' ? [...(el.files || [])].map((f) => f.name).join(', ') : String(el.value));
    if (s && v) send({type: 'secret', value: v});
    send({type: 'input', selector: describe(el), name: el.name || null,
          field_type: el.type || el.localName, value: s ? mask(v) : v.slice(0, 10000), masked: !!s});
  }, true);
  // A submit or fragment change the browser fires for a page's own script (requestSubmit(),
  // location.hash) is trusted too: count it only within a second of the operator's own press
  // of a key or pointer (not the page's "user activation", which WebDriver's scripts grant).
  let gestureAt = -1e9;
  const gesture = (e) => { if (e.isTrusted) gestureAt = performance.now(); };
  addEventListener('pointerdown', gesture, true);
  addEventListener('keydown', gesture, true);
  const byUser = () => performance.now() - gestureAt < 1000;
  addEventListener('submit', (e) => {
    if (!e.isTrusted || !byUser()) return;
    const f = e.target;
    for (const el of (f.elements || [])) if (secret(el) && el.value) send({type: 'secret', value: String(el.value)});
    send({type: 'submit', selector: describe(f), action: f.action || null, method: (f.method || 'get').toLowerCase()});
  }, true);
  if (window.top === window) {
    if (document.readyState !== 'complete') {
      addEventListener('load', (e) => { if (e.isTrusted) send({type: 'load', title: document.title, referrer: document.referrer || null}); });
    }
    addEventListener('hashchange', (e) => { if (e.isTrusted && byUser()) send({type: 'load', title: document.title, referrer: null}); });
    document.addEventListener('visibilitychange', (e) => {
      if (e.isTrusted && document.visibilityState === 'visible') send({type: 'tab-shown', title: document.title});
    });
  }
})();
"#;
