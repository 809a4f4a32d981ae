/*!
 * Hiểu Ý — chat widget for a restaurant / café website.
 *
 * One tag embeds it, nothing else to load (no CDN, no framework, no build):
 *
 *   <script src="https://HOST:8000/widget.js" defer
 *           data-server="https://HOST:5005"   Rasa base URL (default: script's host, port 5005)
 *           data-title="Quán Hiểu Ý"          header title
 *           data-greeting="Dạ em chào…"       first bot bubble when there is no history
 *           data-primary-color="#9c4a1a"      any CSS colour
 *           data-position="right"             right | left
 *           data-table="5"                    the guest's table (or `?table=5` in the page URL)
 *           data-web="https://HOST:8000"></script>  web app relaying staff replies (default: script's origin)
 *
 * Page extras: `?chat=open` in the page URL (QR code at the table) opens the chat;
 * any element with a `data-hieuy-open` attribute opens it on click;
 * `window.HieuYChat.open()` / `.close()` / `.toggle()` for scripts.
 *
 * Why Rasa's REST channel and not socket.io: the REST channel needs no client
 * library (socket.io would mean shipping or fetching ~50 kB of third-party code),
 * and each guest turn is one plain request → response. That makes failure easy
 * to see and to handle: a turn that did not get through is simply sent again
 * (with backoff), and nothing is half-delivered over a dropped socket. The bot
 * only ever speaks in answer to the guest; a person of the quán who takes over
 * the chat is heard through a small poll of the web app (every 2 s while they
 * may answer), which survives reloads and needs no open socket.
 *
 * Safety: every text (guest's and bot's) is inserted as text nodes, never as
 * HTML. Styles are injected by this script and scoped under the `hieuy-` prefix.
 */
(() => {
  "use strict";

  if (window.HieuYChat) return; // embedded twice: the first one wins

  // ---------------------------------------------------------------- settings
  const script =
    document.currentScript || document.querySelector('script[src*="widget.js"]');
  const data = (script && script.dataset) || {};
  const scriptUrl = new URL((script && script.src) || location.href, location.href);

  const P = "hieuy"; // prefix of every class, id and storage key
  const MAX_LENGTH = 500; // characters per guest message
  const COUNTER_FROM = 400; // show the "423/500" counter from here on
  const MAX_HISTORY = 100; // messages kept in localStorage
  const RETRY_DELAYS = [1000, 2000, 4000]; // automatic retries after a failed send
  const REQUEST_TIMEOUT = 30000;
  // Quick replies older than Rasa's session expiry (120 min) would land in a new
  // session with no context: show them, but disabled.
  const STALE_BUTTONS_MS = 2 * 60 * 60 * 1000;
  // While a person of the quán may answer (after a guest message, or while one
  // holds the chat), the widget asks the web app for their replies this often.
  const POLL_MS = 2000;
  const POLL_WINDOW_MS = 10 * 60 * 1000;
  // A second rating card this soon after the last one would nag: skip it.
  const RATING_GAP_MS = 10 * 60 * 1000;

  const T = {
    title: "Trợ lý của quán",
    subtitle: "Thường trả lời ngay",
    greeting:
      "Dạ em chào anh/chị ạ! Anh/chị cần gì cứ nhắn em nhé: sạc điện thoại, wifi, " +
      "chỗ ngồi yên tĩnh hay bất cứ điều gì, em lo ngay ạ.",
    launcher: "Chat với quán",
    launcherUnread: "Chat với quán (có tin nhắn mới)",
    close: "Đóng",
    restart: "Cuộc trò chuyện mới",
    restartConfirm:
      "Bắt đầu cuộc trò chuyện mới? Các tin nhắn cũ trên máy này sẽ được xóa.",
    log: "Tin nhắn",
    inputLabel: "Tin nhắn của anh/chị",
    placeholder: "Nhắn cho quán…",
    send: "Gửi",
    typing: "Quán đang trả lời…",
    quickReplies: "Chọn nhanh",
    botSays: "Quán:",
    guestSays: "Anh/chị:",
    notSent: "Chưa gửi được",
    reconnecting: "Mất kết nối tới quán, em đang thử lại…",
    failed:
      "Chưa gửi được tin nhắn tới quán. Anh/chị kiểm tra kết nối mạng rồi bấm “Thử lại” " +
      "giúp em nhé, tin nhắn vẫn được giữ nguyên ạ.",
    retry: "Thử lại",
    noReply:
      "Quán chưa trả lời được tin này. Anh/chị nhắn lại giúp em, hoặc nhắn “gặp nhân viên” nhé.",
    counter: (n) => `${n}/${MAX_LENGTH} ký tự`,
    footer: "Cần gặp người thật? Nhắn “gặp nhân viên” ạ.",
    heldBy: (name) => `${name} (nhân viên quán) đang trò chuyện với anh/chị`,
    staffSays: (name) => `${name}:`,
    rateAsk: "Anh/chị thấy quán hỗ trợ lần này thế nào ạ? Chạm để chấm sao giúp em nhé:",
    rateGroup: "Chấm điểm từ 1 đến 5 sao",
    star: (n) => `${n} sao`,
    rateComment: "Góp ý thêm cho quán (không bắt buộc)",
    rateSend: "Gửi góp ý",
    rateThanks: "Em cảm ơn anh/chị đã chấm điểm ạ!",
    rateThanksComment: "Em cảm ơn góp ý của anh/chị, quán sẽ cố gắng hơn ạ!",
  };

  const config = {
    server: (data.server || `${scriptUrl.protocol}//${scriptUrl.hostname}:5005`).replace(
      /\/+$/,
      "",
    ),
    title: (data.title || "").trim() || T.title,
    greeting: (data.greeting || "").trim() || T.greeting,
    color: validColor(data.primaryColor) || "#9c4a1a",
    position: data.position === "left" ? "left" : "right",
  };
  const endpoint = `${config.server}/webhooks/rest/webhook`;
  // The web app that serves this script also relays the staff's replies.
  const webBase = (data.web || scriptUrl.origin).replace(/\/+$/, "");

  // ----------------------------------------------------------------- storage
  // localStorage can be missing or throw (private mode, disabled cookies, full
  // quota): the widget then keeps everything in memory and still works.
  function makeStore(kind) {
    const memory = new Map();
    let backend = null;
    try {
      backend = window[kind];
      backend.setItem(`${P}:probe`, "1");
      backend.removeItem(`${P}:probe`);
    } catch {
      backend = null;
    }
    const key = (name) => `${P}-chat:v1:${name}`;
    return {
      get(name) {
        try {
          if (backend) return backend.getItem(key(name));
        } catch {
          /* fall through to memory */
        }
        return memory.has(name) ? memory.get(name) : null;
      },
      set(name, value) {
        memory.set(name, value);
        try {
          if (backend) backend.setItem(key(name), value);
        } catch {
          /* quota full: the in-memory copy still works for this page */
        }
      },
      remove(name) {
        memory.delete(name);
        try {
          if (backend) backend.removeItem(key(name));
        } catch {
          /* ignore */
        }
      },
      key,
    };
  }
  const store = makeStore("localStorage");
  const session = makeStore("sessionStorage"); // "chat is open" survives navigation

  /** The guest's table (QR code ``?table=5`` or ``data-table``), kept for the visit. */
  function loadTable() {
    const given = new URLSearchParams(location.search).get("table") || data.table || "";
    const clean = given.trim().slice(0, 16);
    if (clean) session.set("table", clean);
    return clean || session.get("table") || "";
  }
  const table = loadTable();

  function newId() {
    const c = window.crypto;
    // randomUUID exists only in secure contexts (https, localhost); a plain
    // http://HOST:8000 deployment falls back to getRandomValues.
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    const bytes = new Uint8Array(16);
    if (c && typeof c.getRandomValues === "function") c.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    const h = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function loadSender() {
    const stored = store.get("sender");
    if (stored && /^[\w-]{8,64}$/.test(stored)) return stored;
    const id = newId();
    store.set("sender", id);
    return id;
  }

  /*
   * A history entry (what is rendered and stored):
   *   { id, from: "bot" | "guest", text, ts,
   *     buttons?: [{title, payload}], closed?: bool, chosen?: index   (bot)
   *     payload, status: "sent" | "pending" | "failed"                 (guest) }
   */
  function loadHistory(otherTab = false) {
    let list;
    try {
      list = JSON.parse(store.get("history") || "[]");
    } catch {
      list = [];
    }
    if (!Array.isArray(list)) return [];
    const now = Date.now();
    return list.filter(isEntry).map((m) => {
      // A reload interrupted a send: the guest decides whether to send again.
      // (Another tab's pending message is still on its way.)
      if (m.from === "guest" && m.status === "pending" && !otherTab) m.status = "failed";
      if (m.buttons && !m.closed && now - (m.ts || 0) > STALE_BUTTONS_MS) m.closed = true;
      return m;
    });
  }

  function isEntry(m) {
    return (
      m &&
      typeof m === "object" &&
      typeof m.id === "string" &&
      (m.from === "bot" || m.from === "guest") &&
      typeof m.text === "string" &&
      (m.buttons === undefined || Array.isArray(m.buttons)) &&
      (m.rating === undefined || (typeof m.rating === "object" && m.rating !== null))
    );
  }

  function saveHistory() {
    if (messages.length > MAX_HISTORY) messages.splice(0, messages.length - MAX_HISTORY);
    store.set("history", JSON.stringify(messages));
  }

  // ------------------------------------------------------------------ styles
  function validColor(value) {
    if (!value) return null;
    const v = String(value).trim();
    if (window.CSS && typeof CSS.supports === "function") {
      return CSS.supports("color", v) ? v : null;
    }
    return /^#[0-9a-f]{3,8}$/i.test(v) ? v : null;
  }

  /** White or near-black text, whichever reads better on `color`. */
  function textOn(color) {
    const probe = document.createElement("span");
    probe.style.color = color;
    probe.style.display = "none";
    document.documentElement.appendChild(probe);
    const computed = getComputedStyle(probe).color;
    probe.remove();
    const m = /^rgba?\(([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/.exec(computed);
    if (!m) return "#ffffff";
    const [r, g, b] = m.slice(1, 4).map((x) => {
      const c = Number(x) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    const onWhite = 1.05 / (lum + 0.05);
    const onDark = (lum + 0.05) / 0.0615; // #1c1b1a
    return onWhite >= onDark ? "#ffffff" : "#1c1b1a";
  }

  const CSS_TEXT = `
.hieuy-chat, .hieuy-chat *, .hieuy-chat *::before, .hieuy-chat *::after {
  box-sizing: border-box; margin: 0; padding: 0; border: 0; letter-spacing: normal;
  text-transform: none; text-shadow: none; float: none; max-width: none; min-width: 0;
}
.hieuy-chat [hidden] { display: none !important; }
.hieuy-chat {
  --hieuy-ink: #1f1b17; --hieuy-muted: #6b625a; --hieuy-line: #e7e1da;
  --hieuy-bot-bg: #f3efea; --hieuy-danger: #b3261e;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--hieuy-ink); -webkit-font-smoothing: antialiased;
}
.hieuy-chat button, .hieuy-chat textarea { font: inherit; color: inherit; background: none; }
.hieuy-chat button { cursor: pointer; }
.hieuy-chat button:disabled { cursor: default; }
.hieuy-chat :focus { outline: none; }
.hieuy-chat :focus-visible { outline: 3px solid var(--hieuy-primary); outline-offset: 2px; }
.hieuy-chat .hieuy-panel:focus { outline: none; }
.hieuy-sr {
  position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
}

.hieuy-launcher {
  position: fixed; bottom: 20px; z-index: 2147483000;
  display: inline-flex; align-items: center; gap: 8px; height: 52px; padding: 0 20px 0 16px;
  border-radius: 26px; background: var(--hieuy-primary) !important;
  color: var(--hieuy-on-primary) !important;
  font-weight: 600; font-size: 15px; box-shadow: 0 6px 20px rgba(0,0,0,.22);
  transition: transform .15s ease, box-shadow .15s ease;
}
.hieuy-chat--right .hieuy-launcher { right: 20px; }
.hieuy-chat--left .hieuy-launcher { left: 20px; }
.hieuy-launcher:hover { transform: translateY(-1px); box-shadow: 0 8px 24px rgba(0,0,0,.28); }
.hieuy-launcher:focus-visible { outline: 3px solid var(--hieuy-ink); outline-offset: 3px; }
.hieuy-launcher svg { flex: none; }
.hieuy-launcher--unread::after {
  content: ""; position: absolute; top: 2px; right: 4px; width: 14px; height: 14px;
  border-radius: 50%;
  background: #e5484d; border: 2px solid #fff;
}

.hieuy-panel {
  position: fixed; bottom: 84px; z-index: 2147483001;
  width: 380px; height: min(640px, calc(100vh - 108px));
  display: flex; flex-direction: column; overflow: hidden;
  background: #fff; border-radius: 16px; box-shadow: 0 12px 40px rgba(0,0,0,.25);
  animation: hieuy-in .18s ease-out;
}
.hieuy-chat--right .hieuy-panel { right: 20px; }
.hieuy-chat--left .hieuy-panel { left: 20px; }
@keyframes hieuy-in {
  from { opacity: 0; transform: translateY(12px); }
  to { opacity: 1; transform: none; }
}

.hieuy-header {
  flex: none; display: flex; align-items: center; gap: 10px; padding: 12px 8px 12px 14px;
  background: var(--hieuy-primary); color: var(--hieuy-on-primary);
}
.hieuy-avatar {
  flex: none; width: 38px; height: 38px; border-radius: 50%; display: grid; place-items: center;
  background: rgba(255,255,255,.22); font-weight: 700; font-size: 14px; letter-spacing: .03em;
}
.hieuy-heading { flex: 1; min-width: 0; }
.hieuy-title {
  font-size: 16px; font-weight: 700; line-height: 1.25; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap;
}
.hieuy-subtitle {
  font-size: 12.5px; opacity: .9; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.hieuy-icon-btn {
  flex: none; width: 40px; height: 40px; border-radius: 10px; display: grid; place-items: center;
  color: inherit !important;
}
.hieuy-icon-btn:hover { background: rgba(255,255,255,.18); }
.hieuy-header .hieuy-icon-btn:focus-visible {
  outline: 3px solid currentColor; outline-offset: -3px;
}

.hieuy-scroll {
  flex: 1; overflow-y: auto; overscroll-behavior: contain; padding: 14px 12px 6px;
  background: #fcfbf9; scroll-behavior: smooth;
}
.hieuy-log { display: flex; flex-direction: column; gap: 8px; }
.hieuy-msg {
  display: flex; flex-direction: column; align-items: flex-start; gap: 6px; max-width: 100%;
}
.hieuy-msg--guest { align-items: flex-end; }
.hieuy-bubble {
  max-width: 85%; padding: 9px 13px; border-radius: 16px; white-space: pre-wrap;
  overflow-wrap: anywhere; word-break: normal; font-size: 15px; line-height: 1.45;
}
.hieuy-msg--bot .hieuy-bubble { background: var(--hieuy-bot-bg); border-bottom-left-radius: 5px; }
.hieuy-bubble--staff { border-left: 3px solid var(--hieuy-primary); }
.hieuy-staff { display: block; font-size: 13px; font-weight: 600; }
.hieuy-msg--guest .hieuy-bubble {
  background: var(--hieuy-primary); color: var(--hieuy-on-primary); border-bottom-right-radius: 5px;
}
.hieuy-bubble a { color: inherit; text-decoration: underline; }
.hieuy-msg--failed .hieuy-bubble, .hieuy-msg--pending .hieuy-bubble { opacity: .7; }
.hieuy-msg--failed .hieuy-bubble { outline: 2px dashed var(--hieuy-danger); outline-offset: 2px; }
.hieuy-status { font-size: 12px; color: var(--hieuy-muted); }
.hieuy-msg--failed .hieuy-status { color: var(--hieuy-danger); font-weight: 600; }

.hieuy-replies { display: flex; flex-wrap: wrap; gap: 6px; max-width: 100%; }
.hieuy-reply {
  padding: 7px 13px; border-radius: 18px; border: 1.5px solid var(--hieuy-primary) !important;
  color: var(--hieuy-primary) !important; background: #fff !important; font-size: 14px;
  font-weight: 600;
  text-align: left; line-height: 1.3; min-height: 36px;
}
.hieuy-reply:hover:not(:disabled) { background: var(--hieuy-bot-bg) !important; }
.hieuy-reply:disabled { opacity: .45; border-style: dashed !important; }
.hieuy-reply.hieuy-reply--chosen:disabled {
  opacity: 1; border-style: solid !important; background: var(--hieuy-bot-bg) !important;
}
/* the tick is decoration (alt text ""); aria-pressed tells screen readers */
.hieuy-reply--chosen::before { content: "✓ "; content: "✓ " / ""; }

.hieuy-stars { display: flex; gap: 2px; }
.hieuy-star {
  font-size: 28px; line-height: 1; padding: 4px; min-width: 40px; min-height: 40px;
  color: var(--hieuy-muted) !important; background: none !important; border: 0 !important;
}
.hieuy-star--on { color: #d69e2e !important; }
.hieuy-rate-note { display: flex; flex-direction: column; gap: 6px; width: 85%; }
.hieuy-rate-note textarea {
  font: inherit; font-size: 14px; padding: 6px 8px; border-radius: 8px;
  border: 1px solid var(--hieuy-muted); resize: vertical; min-height: 52px;
}
.hieuy-rate-thanks { font-size: 13px; color: var(--hieuy-muted); }

.hieuy-typing {
  display: inline-flex; gap: 4px; align-items: center; margin-top: 8px; padding: 12px 14px;
  border-radius: 16px; border-bottom-left-radius: 5px; background: var(--hieuy-bot-bg);
}
.hieuy-dot {
  width: 7px; height: 7px; border-radius: 50%; background: var(--hieuy-muted);
  animation: hieuy-dot 1.2s infinite ease-in-out;
}
.hieuy-dot:nth-child(3) { animation-delay: .15s; }
.hieuy-dot:nth-child(4) { animation-delay: .3s; }
@keyframes hieuy-dot {
  0%, 80%, 100% { opacity: .3; transform: none; }
  40% { opacity: 1; transform: translateY(-3px); }
}

.hieuy-notice {
  margin: 10px 0 4px; padding: 10px 12px; border-radius: 12px; font-size: 14px;
  background: #fff4e5; border: 1px solid #f3c98b; color: #5c3a00;
  display: flex; flex-wrap: wrap; align-items: center; gap: 8px;
}
.hieuy-notice--error { background: #fdecea; border-color: #f1aaa5; color: #6b1510; }
.hieuy-notice p { flex: 1 1 200px; }
.hieuy-retry {
  flex: none; padding: 7px 16px; border-radius: 18px; font-weight: 700;
  background: var(--hieuy-primary) !important; color: var(--hieuy-on-primary) !important;
}

.hieuy-composer {
  flex: none; display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px;
  border-top: 1px solid var(--hieuy-line); background: #fff;
}
.hieuy-field { flex: 1; display: flex; flex-direction: column; gap: 2px; }
.hieuy-input {
  display: block; width: 100%; min-height: 42px; max-height: 128px; resize: none; overflow-y: auto;
  padding: 10px 12px; border: 1.5px solid var(--hieuy-line) !important; border-radius: 12px;
  background: #fff !important; font-size: 16px !important; line-height: 1.35;
  color: var(--hieuy-ink) !important;
}
.hieuy-input::placeholder { color: #8a8178; opacity: 1; }
.hieuy-input:focus-visible, .hieuy-input:focus {
  outline: none; border-color: var(--hieuy-primary) !important;
  box-shadow: 0 0 0 3px rgba(0,0,0,.08);
}
.hieuy-counter { font-size: 12px; color: var(--hieuy-muted); text-align: right; }
.hieuy-counter--full { color: var(--hieuy-danger); font-weight: 600; }
.hieuy-send {
  flex: none; height: 42px; padding: 0 18px; border-radius: 12px; font-weight: 700;
  background: var(--hieuy-primary) !important; color: var(--hieuy-on-primary) !important;
}
.hieuy-send:disabled { opacity: .5; }
.hieuy-footer {
  flex: none; padding: 0 12px 8px; font-size: 11.5px; color: var(--hieuy-muted); background: #fff;
  text-align: center;
}

@media (max-width: 480px) {
  .hieuy-chat .hieuy-panel {
    inset: 0; width: 100%; height: 100%; height: 100dvh; border-radius: 0; bottom: 0; left: 0;
    right: 0;
    padding-bottom: env(safe-area-inset-bottom, 0);
  }
  .hieuy-chat--open .hieuy-launcher { display: none; }
  .hieuy-launcher { bottom: 16px; }
  .hieuy-chat--right .hieuy-launcher { right: 16px; }
  .hieuy-chat--left .hieuy-launcher { left: 16px; }
  .hieuy-bubble { max-width: 90%; }
  html.hieuy-lock, html.hieuy-lock body { overflow: hidden !important; }
}
@media (prefers-reduced-motion: reduce) {
  .hieuy-chat *, .hieuy-chat *::before {
    animation: none !important; transition: none !important; scroll-behavior: auto !important;
  }
}
@media print { .hieuy-chat { display: none !important; } }
`;

  function injectStyles() {
    // Constructed stylesheets are not blocked by a page's CSP (no inline
    // <style> needed); older browsers get a <style> element instead.
    try {
      if ("adoptedStyleSheets" in Document.prototype && typeof CSSStyleSheet === "function") {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS_TEXT);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        return;
      }
    } catch {
      /* fall back below */
    }
    const style = document.createElement("style");
    style.id = `${P}-chat-style`;
    style.textContent = CSS_TEXT;
    document.head.appendChild(style);
  }

  // --------------------------------------------------------------------- DOM
  function el(tag, className, attrs) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === true) node.setAttribute(name, "");
      else if (value !== false && value != null) node.setAttribute(name, String(value));
    }
    return node;
  }

  /** A stroke icon drawn from our own path data (no markup strings). */
  function icon(paths, size) {
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    const attrs = {
      viewBox: "0 0 24 24", width: size, height: size, fill: "none", stroke: "currentColor",
      "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round",
      "aria-hidden": "true", focusable: "false",
    };
    for (const [k, v] of Object.entries(attrs)) svg.setAttribute(k, String(v));
    for (const d of paths) {
      const path = document.createElementNS(NS, "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    }
    return svg;
  }
  const ICON_CHAT = [
    "M4 4h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H10l-5 4v-4H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z",
    "M8 9.5h8",
    "M8 13h5",
  ];
  const ICON_CLOSE = ["M6 6l12 12", "M18 6L6 18"];
  const ICON_RESTART = ["M4 12a8 8 0 1 0 2.34-5.66", "M4 4v4h4"];

  /** Append `text` as text nodes; http(s) links become <a> (bot texts only). */
  function appendText(node, text, linkify) {
    if (!linkify) {
      node.textContent = text;
      return;
    }
    const re = /\bhttps?:\/\/[^\s<>"']+/gi;
    let last = 0;
    for (const match of text.matchAll(re)) {
      const url = match[0].replace(/[.,;:!?)\]]+$/, "");
      node.append(text.slice(last, match.index));
      const a = el("a", "", { href: url, target: "_blank", rel: "noopener noreferrer nofollow" });
      a.textContent = url;
      node.append(a);
      last = match.index + url.length;
    }
    node.append(text.slice(last));
  }

  /** "Quán Hiểu Ý" -> "HY": initials of the name without the kind of place. */
  function initials(name) {
    const words = name.replace(/^(quán|nhà hàng|tiệm|cà phê|café|cafe)\s+/i, "").split(/\s+/);
    const letters = words.slice(0, 2).map((w) => w.charAt(0)).join("");
    return letters.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toUpperCase() || "?";
  }

  const root = el("div", `${P}-chat ${P}-chat--${config.position}`, { id: `${P}-chat` });
  root.style.setProperty("--hieuy-primary", config.color);

  const launcher = el("button", `${P}-launcher`, {
    type: "button",
    "aria-label": T.launcher,
    "aria-expanded": "false",
    "aria-controls": `${P}-panel`,
  });
  const launcherText = el("span", `${P}-launcher-text`);
  launcherText.textContent = T.launcher;
  launcher.append(icon(ICON_CHAT, 24), launcherText);

  const panel = el("div", `${P}-panel`, {
    id: `${P}-panel`,
    role: "dialog",
    "aria-label": config.title,
    "aria-modal": "false",
    tabindex: "-1",
    hidden: true,
  });

  const header = el("div", `${P}-header`);
  const avatar = el("div", `${P}-avatar`, { "aria-hidden": "true" });
  avatar.textContent = initials(config.title);
  const heading = el("div", `${P}-heading`);
  const title = el("h2", `${P}-title`);
  title.textContent = config.title;
  const subtitle = el("p", `${P}-subtitle`);
  subtitle.textContent = T.subtitle;
  heading.append(title, subtitle);
  const restartButton = el("button", `${P}-icon-btn`, {
    type: "button",
    "aria-label": T.restart,
    title: T.restart,
  });
  restartButton.append(icon(ICON_RESTART, 20));
  const closeButton = el("button", `${P}-icon-btn`, {
    type: "button",
    "aria-label": T.close,
    title: `${T.close} (Esc)`,
  });
  closeButton.append(icon(ICON_CLOSE, 22));
  header.append(avatar, heading, restartButton, closeButton);

  const scroller = el("div", `${P}-scroll`);
  const log = el("div", `${P}-log`, { role: "log", "aria-live": "polite", "aria-label": T.log });
  const typing = el("div", `${P}-typing`, { role: "status", hidden: true });
  const typingText = el("span", `${P}-sr`);
  typingText.textContent = T.typing;
  typing.append(typingText, ...[1, 2, 3].map(() => el("span", `${P}-dot`)));
  const notice = el("div", `${P}-notice`, { role: "status", hidden: true });
  const noticeText = el("p");
  const retryButton = el("button", `${P}-retry`, { type: "button", hidden: true });
  retryButton.textContent = T.retry;
  notice.append(noticeText, retryButton);
  scroller.append(log, typing, notice);

  const form = el("form", `${P}-composer`, { novalidate: true });
  const field = el("div", `${P}-field`);
  const inputLabel = el("label", `${P}-sr`, { for: `${P}-input` });
  inputLabel.textContent = T.inputLabel;
  const input = el("textarea", `${P}-input`, {
    id: `${P}-input`,
    rows: "1",
    maxlength: String(MAX_LENGTH),
    placeholder: T.placeholder,
    autocomplete: "off",
    enterkeyhint: "send",
    "aria-describedby": `${P}-counter`,
  });
  const counter = el("div", `${P}-counter`, { id: `${P}-counter`, hidden: true });
  field.append(inputLabel, input, counter);
  const sendButton = el("button", `${P}-send`, { type: "submit" });
  sendButton.textContent = T.send;
  form.append(field, sendButton);
  const footer = el("p", `${P}-footer`);
  footer.textContent = T.footer;

  panel.append(header, scroller, form, footer);
  root.append(panel, launcher);

  // ------------------------------------------------------------------- state
  let sender = loadSender();
  let messages = loadHistory();
  let busy = false; // a send is in flight or waiting to be retried
  let epoch = 0; // bumped by "new conversation": late answers to the old one are dropped
  const nodes = new Map(); // entry id -> rendered element

  function ensureGreeting() {
    if (messages.length === 0) {
      messages.push({ id: newId(), from: "bot", text: config.greeting, ts: Date.now() });
      saveHistory();
    }
  }

  // --------------------------------------------------------------- rendering
  function renderEntry(m) {
    const item = el("div", `${P}-msg ${P}-msg--${m.from}`, { "data-id": m.id });
    if (m.text) {
      const bubble = el("div", `${P}-bubble`);
      const who = el("span", `${P}-sr`);
      const label = m.staff ? T.staffSays(m.staff) : m.from === "bot" ? T.botSays : T.guestSays;
      who.textContent = `${label} `;
      if (m.staff) {
        who.className = `${P}-staff`; // staff speak in their own name, visibly
        bubble.classList.add(`${P}-bubble--staff`);
      }
      const body = el("span", `${P}-text`);
      appendText(body, m.text, m.from === "bot");
      bubble.append(who, body);
      item.append(bubble);
    }
    if (m.from === "bot" && m.buttons && m.buttons.length) {
      const group = el("div", `${P}-replies`, { role: "group", "aria-label": T.quickReplies });
      m.buttons.forEach((b, index) => {
        const button = el("button", `${P}-reply`, { type: "button" });
        button.textContent = b.title;
        button.addEventListener("click", () => chooseReply(m, index));
        group.append(button);
      });
      item.append(group);
    }
    if (m.rating) item.append(renderRating(m));
    if (m.from === "guest") item.append(el("div", `${P}-status`, { "aria-live": "off" }));
    nodes.set(m.id, item);
    updateEntry(m);
    return item;
  }

  /** The rating card: five stars (one tap), then an optional comment. */
  function renderRating(m) {
    const box = el("div", `${P}-rating`);
    const stars = el("div", `${P}-stars`, { role: "group", "aria-label": T.rateGroup });
    for (let n = 1; n <= 5; n++) {
      const star = el("button", `${P}-star`, { type: "button", "aria-label": T.star(n) });
      star.textContent = "★";
      star.addEventListener("click", () => rate(m, n));
      stars.append(star);
    }
    const note = el("div", `${P}-rate-note`, { hidden: true });
    const comment = el("textarea", "", { rows: "2", maxlength: "500", "aria-label": T.rateComment });
    comment.placeholder = T.rateComment;
    const send = el("button", `${P}-reply`, { type: "button" });
    send.textContent = T.rateSend;
    send.addEventListener("click", () => rate(m, m.rating.stars, comment.value.trim()));
    note.append(comment, send);
    const thanks = el("p", `${P}-rate-thanks`, { role: "status", hidden: true });
    box.append(stars, note, thanks);
    return box;
  }

  function updateRating(m, item) {
    const chosen = m.rating.stars || 0;
    item.querySelectorAll(`.${P}-star`).forEach((star, index) => {
      star.classList.toggle(`${P}-star--on`, index < chosen);
      star.setAttribute("aria-pressed", String(index + 1 === chosen));
    });
    item.querySelector(`.${P}-rate-note`).hidden = !chosen || m.rating.commented;
    const thanks = item.querySelector(`.${P}-rate-thanks`);
    thanks.hidden = !chosen;
    thanks.textContent = m.rating.commented ? T.rateThanksComment : T.rateThanks;
  }

  /** Reflect an entry's state (button set closed, send status) on its node. */
  function updateEntry(m) {
    const item = nodes.get(m.id);
    if (!item) return;
    if (m.buttons) {
      item.querySelectorAll(`.${P}-reply`).forEach((button, index) => {
        button.disabled = Boolean(m.closed);
        button.classList.toggle(`${P}-reply--chosen`, m.chosen === index);
        if (m.chosen === index) button.setAttribute("aria-pressed", "true");
      });
    }
    if (m.rating) updateRating(m, item);
    if (m.from === "guest") {
      const status = item.querySelector(`.${P}-status`);
      item.classList.toggle(`${P}-msg--pending`, m.status === "pending");
      item.classList.toggle(`${P}-msg--failed`, m.status === "failed");
      status.textContent = m.status === "failed" ? T.notSent : "";
      status.hidden = m.status !== "failed";
    }
  }

  function renderAll() {
    nodes.clear();
    log.setAttribute("aria-busy", "true");
    log.replaceChildren(...messages.map(renderEntry));
    log.removeAttribute("aria-busy");
    const failed = messages.some((m) => m.status === "failed");
    setNotice(failed ? "failed" : null);
    scrollToEnd();
  }

  function append(m) {
    messages.push(m);
    if (m.from === "bot" && !isOpen()) setUnread(true); // answered after the guest closed
    saveHistory();
    // The oldest entries fell out of storage: drop their nodes too.
    while (log.children.length >= MAX_HISTORY) {
      nodes.delete(log.firstChild.getAttribute("data-id"));
      log.firstChild.remove();
    }
    log.append(renderEntry(m));
    scrollToEnd();
  }

  function scrollToEnd() {
    requestAnimationFrame(() => {
      scroller.scrollTop = scroller.scrollHeight;
    });
  }

  function setTyping(on) {
    typing.hidden = !on;
    if (on) scrollToEnd();
  }

  /** null | "reconnecting" | "failed" | "noreply" */
  function setNotice(kind) {
    notice.hidden = !kind;
    if (!kind) return;
    const texts = { reconnecting: T.reconnecting, failed: T.failed, noreply: T.noReply };
    noticeText.textContent = texts[kind];
    notice.classList.toggle(`${P}-notice--error`, kind === "failed");
    notice.setAttribute("role", kind === "failed" ? "alert" : "status");
    retryButton.hidden = kind !== "failed";
    scrollToEnd();
  }

  // ----------------------------------------------------------------- sending
  function sendGuest(text, payload) {
    // Quick replies belong to the turn they were offered in.
    for (const m of messages) {
      if (m.buttons && !m.closed) {
        m.closed = true;
        updateEntry(m);
      }
    }
    // Sending again also retries what failed before, in order.
    requeueFailed();
    append({ id: newId(), from: "guest", text, payload, status: "pending", ts: Date.now() });
    drain();
  }

  function chooseReply(m, index) {
    if (m.closed) return;
    const button = m.buttons[index];
    m.chosen = index;
    sendGuest(button.title, button.payload || button.title);
    focusInside(); // the clicked button is disabled now
  }

  function requeueFailed() {
    const failed = messages.filter((m) => m.status === "failed");
    for (const m of failed) {
      m.status = "pending";
      updateEntry(m);
    }
    if (failed.length) {
      saveHistory();
      setNotice(null);
    }
  }

  class SendError extends Error {
    constructor(message, retryable) {
      super(message);
      this.retryable = retryable;
    }
  }

  async function post(message) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT);
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(table ? { sender, message, metadata: { table } } : { sender, message }),
        credentials: "omit",
        signal: controller.signal,
      });
    } catch (error) {
      // Offline, DNS, refused, CORS (ALLOWED_ORIGINS) or timeout.
      throw new SendError(`could not reach ${endpoint}: ${error}`, true);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) {
      const status = response.status;
      const retryable = status >= 500 || status === 408 || status === 429;
      throw new SendError(`${endpoint} answered HTTP ${status}`, retryable);
    }
    try {
      const body = await response.json();
      return Array.isArray(body) ? body : [];
    } catch {
      // e.g. a captive portal's HTML page with status 200
      throw new SendError(`${endpoint} did not answer JSON`, true);
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Send pending guest messages one at a time, in order, retrying with backoff. */
  async function drain() {
    if (busy) return;
    busy = true;
    const started = epoch;
    try {
      for (;;) {
        const next = messages.find((m) => m.from === "guest" && m.status === "pending");
        if (!next) break;
        const replies = await deliver(next, started);
        if (epoch !== started) break; // the guest started a new conversation meanwhile
        if (!replies) {
          // Out of retries: this one and everything queued after it wait for the guest.
          for (const m of messages) {
            if (m.status === "pending") {
              m.status = "failed";
              updateEntry(m);
            }
          }
          saveHistory();
          setNotice("failed");
          break;
        }
        next.status = "sent";
        updateEntry(next);
        saveHistory();
        showReplies(replies);
      }
    } finally {
      busy = false;
      setTyping(false);
    }
    if (epoch !== started) drain(); // messages of the new conversation
  }

  /** Replies for one guest message, or null when it could not be delivered. */
  async function deliver(m, started) {
    for (let attempt = 0; ; attempt++) {
      setTyping(true);
      try {
        const replies = await post(m.payload || m.text);
        setNotice(null);
        return replies;
      } catch (error) {
        setTyping(false);
        console.warn(`[Hiểu Ý chat] ${error.message} (data-server="${config.server}")`);
        if (!error.retryable || attempt >= RETRY_DELAYS.length) return null;
        setNotice("reconnecting");
        await sleep(RETRY_DELAYS[attempt]);
        if (epoch !== started) return null;
      }
    }
  }

  function showReplies(replies) {
    let shown = 0;
    for (const r of replies) {
      if (!r || typeof r !== "object") continue;
      if (r.custom && r.custom.held_by_staff) heldBy = heldBy || "…"; // staff hear this one
      if (r.custom && r.custom.rating) {
        askRating(String(r.custom.rating.ended_by || ""));
        shown++;
        continue;
      }
      const text = typeof r.text === "string" ? r.text : "";
      const buttons = (Array.isArray(r.buttons) ? r.buttons : [])
        .filter((b) => b && typeof b.title === "string" && b.title.trim())
        .map((b) => ({
          title: b.title,
          payload: typeof b.payload === "string" && b.payload ? b.payload : b.title,
        }));
      if (!text && !buttons.length) continue; // images, custom payloads: not used by this bot
      const entry = { id: newId(), from: "bot", text, ts: Date.now() };
      if (buttons.length) entry.buttons = buttons;
      append(entry);
      shown++;
    }
    if (!shown && !heldBy) setNotice("noreply"); // a person holds the chat: the bot is quiet
    lastActive = Date.now();
    schedulePoll(0);
  }

  // ------------------------------------------------------------------ rating
  /** Show the rating card once per conversation end (not again within RATING_GAP_MS). */
  function askRating(endedBy) {
    const last = Number(store.get("ratingAsked") || 0);
    if (Date.now() - last < RATING_GAP_MS) return;
    store.set("ratingAsked", String(Date.now()));
    const rating = { endedBy, stars: 0, commented: false };
    append({ id: newId(), from: "bot", text: T.rateAsk, rating, ts: Date.now() });
  }

  /** The guest tapped a star (or sent a comment): keep it and tell the web app. */
  function rate(m, stars, comment) {
    m.rating.stars = stars;
    if (comment) {
      m.rating.comment = comment;
      m.rating.commented = true;
    }
    saveHistory();
    updateEntry(m);
    sendRating(m);
  }

  async function sendRating(m) {
    const url = `${webBase}/api/chat/${encodeURIComponent(sender)}/rating`;
    const body = { card: m.id, stars: m.rating.stars, comment: m.rating.comment || null };
    if (["goodbye", "thanks", "hand_back"].includes(m.rating.endedBy)) {
      body.ended_by = m.rating.endedBy;
    }
    if (table) body.table = table;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "omit",
      });
      if (!response.ok) console.warn(`[Hiểu Ý chat] ${url} answered HTTP ${response.status}`);
    } catch (error) {
      console.warn(`[Hiểu Ý chat] could not reach ${url}: ${error}`);
    }
  }

  // ------------------------------------------------------ replies from staff
  let heldBy = null; // the staff member holding the conversation, if any
  let lastActive = 0; // when the guest last talked: staff may answer for a while
  let pollTimer = null;
  let polling = false; // one poll at a time: two would both append the same reply

  function schedulePoll(delay) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, delay);
  }

  /** Ask the web app for staff replies since the last one seen (all of them after a reload). */
  async function poll() {
    if (polling) return schedulePoll(POLL_MS);
    polling = true;
    const after = Number(store.get("staffAfter") || 0);
    const url = `${webBase}/api/chat/${encodeURIComponent(sender)}/messages?after=${after}`;
    try {
      const response = await fetch(url, { credentials: "omit" });
      if (response.ok) showStaff(await response.json());
    } catch (error) {
      console.warn(`[Hiểu Ý chat] could not reach ${url}: ${error}`);
    } finally {
      polling = false;
    }
    if (heldBy || Date.now() - lastActive < POLL_WINDOW_MS) schedulePoll(POLL_MS);
  }

  function showStaff(body) {
    const wasHeld = heldBy;
    heldBy = body && typeof body.held_by === "string" ? body.held_by : null;
    if (wasHeld && !heldBy) askRating("hand_back"); // staff gave the chat back to the bot
    subtitle.textContent = heldBy ? T.heldBy(heldBy) : T.subtitle;
    if (heldBy) setNotice(null);
    for (const r of (body && Array.isArray(body.messages) && body.messages) || []) {
      if (typeof r.text !== "string" || typeof r.id !== "number") continue;
      const name = typeof r.staff_name === "string" ? r.staff_name : "";
      if (messages.some((m) => m.id === `staff-${r.id}`)) continue; // another tab showed it
      append({ id: `staff-${r.id}`, from: "bot", staff: name, text: r.text, ts: Date.now() });
      store.set("staffAfter", String(r.id));
    }
  }

  // ---------------------------------------------------------------- composer
  function autosize() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight + 3, 128)}px`;
  }

  function updateCounter() {
    const n = input.value.length;
    counter.hidden = n < COUNTER_FROM;
    counter.textContent = T.counter(n);
    counter.classList.toggle(`${P}-counter--full`, n >= MAX_LENGTH);
  }

  function onInput() {
    autosize();
    updateCounter();
    store.set("draft", input.value); // a half-typed message survives a reload too
  }

  function submit() {
    const text = input.value.trim().slice(0, MAX_LENGTH);
    if (!text) {
      input.focus();
      return;
    }
    input.value = "";
    store.remove("draft");
    autosize();
    updateCounter();
    sendGuest(text, text);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("input", onInput);
  input.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter is a new line. Never send in the middle of an
    // IME composition (Vietnamese keyboards on macOS, iOS and Android compose).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submit();
    }
  });

  retryButton.addEventListener("click", () => {
    requeueFailed(); // hides the notice, and this button with it
    focusInside();
    drain();
  });
  window.addEventListener("online", () => {
    if (messages.some((m) => m.status === "failed")) {
      requeueFailed();
      drain();
    }
  });

  // ------------------------------------------------------------ open / close
  const isOpen = () => !panel.hidden;

  function setUnread(on) {
    launcher.classList.toggle(`${P}-launcher--unread`, on);
    launcher.setAttribute("aria-label", on ? T.launcherUnread : T.launcher);
  }

  function open(options) {
    const moveFocus = !options || options.focus !== false;
    setUnread(false);
    if (!isOpen()) {
      panel.hidden = false;
      root.classList.add(`${P}-chat--open`);
      document.documentElement.classList.add(`${P}-lock`); // only acts on small screens
      launcher.setAttribute("aria-expanded", "true");
      session.set("open", "1");
      autosize();
      scrollToEnd();
    }
    if (moveFocus) focusInside();
  }

  function focusInside() {
    // On touch screens focusing the textarea pops the keyboard up over the
    // conversation: focus the dialog there and let the guest tap the field.
    const touch = window.matchMedia && matchMedia("(pointer: coarse)").matches;
    if (!touch) input.focus({ preventScroll: true });
    else if (!panel.contains(document.activeElement)) panel.focus({ preventScroll: true });
  }

  /** Close; focus goes back to the launcher when it was in the panel. */
  function close() {
    if (!isOpen()) return;
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    root.classList.remove(`${P}-chat--open`);
    document.documentElement.classList.remove(`${P}-lock`);
    launcher.setAttribute("aria-expanded", "false");
    session.remove("open");
    if (hadFocus) launcher.focus();
  }

  function restart() {
    if (messages.some((m) => m.from === "guest") && !window.confirm(T.restartConfirm)) return;
    epoch++;
    sender = newId(); // a fresh Rasa conversation as well
    store.set("sender", sender);
    store.remove("staffAfter");
    store.remove("ratingAsked");
    messages = [];
    ensureGreeting();
    renderAll();
    setTyping(false);
    focusInside();
  }

  launcher.addEventListener("click", () => (isOpen() ? close() : open()));
  closeButton.addEventListener("click", close);
  restartButton.addEventListener("click", restart);
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.isComposing && isOpen()) {
      event.preventDefault();
      close();
      launcher.focus();
    }
  });
  // <a href="?chat=open" data-hieuy-open> works as a link without the widget,
  // and opens it in place when the widget is there.
  document.addEventListener("click", (event) => {
    const trigger = event.target instanceof Element && event.target.closest("[data-hieuy-open]");
    if (trigger) {
      event.preventDefault();
      open();
    }
  });
  // Another tab of the same site talked to the quán: show the same conversation.
  window.addEventListener("storage", (event) => {
    if (event.key === store.key("history") && !busy) {
      messages = loadHistory(true);
      if (!messages.length) ensureGreeting();
      renderAll();
    } else if (event.key === store.key("sender") && event.newValue) {
      sender = event.newValue;
    }
  });

  // -------------------------------------------------------------------- boot
  function boot() {
    root.style.setProperty("--hieuy-on-primary", textOn(config.color));
    injectStyles();
    document.body.appendChild(root);
    ensureGreeting();
    renderAll();
    input.value = (store.get("draft") || "").slice(0, MAX_LENGTH);
    updateCounter();
    const wanted = new URLSearchParams(location.search).get("chat") === "open";
    if (wanted || session.get("open")) open({ focus: false });
    schedulePoll(0); // a person may hold this conversation (or answered while away)
  }

  window.HieuYChat = {
    open: () => open(),
    close,
    toggle: () => (isOpen() ? close() : open()),
  };

  if (document.body) boot();
  else document.addEventListener("DOMContentLoaded", boot, { once: true });
})();
