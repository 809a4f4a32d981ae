/*
 * Hiểu Ý — staff console. Plain JS, no framework, no CDN.
 *
 * The queue arrives over Server-Sent Events (/staff/events) whenever it
 * changes; the console re-renders it, keeping what the staff member is typing.
 * A new conversation (or a new emergency) rings a short WebAudio tone and
 * shows a browser notification, both switched off with one checkbox.
 */
(() => {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const queueList = $("queue");
  const empty = $("empty");
  const status = $("status");
  const nameInput = $("staff-name");
  const alerts = $("alerts");
  let longWaitSeconds = 300; // STAFF_LONG_WAIT_MINUTES, sent with the queue
  const NAME_KEY = "hieuy-staff:name";
  const ALERTS_KEY = "hieuy-staff:alerts";
  let known = null; // ids (and urgency) already seen: only new ones ring
  let latest = [];

  nameInput.value = localStorage.getItem(NAME_KEY) || "";
  alerts.checked = localStorage.getItem(ALERTS_KEY) !== "off";
  $("who").addEventListener("submit", (event) => {
    event.preventDefault();
    localStorage.setItem(NAME_KEY, nameInput.value.trim());
    render(latest);
  });
  alerts.addEventListener("change", () => {
    localStorage.setItem(ALERTS_KEY, alerts.checked ? "on" : "off");
    if (alerts.checked && "Notification" in window && Notification.permission === "default") {
      Notification.requestPermission();
    }
  });

  const staffName = () => (localStorage.getItem(NAME_KEY) || "").trim();
  const CHANNELS = { zalo: "qua Zalo", facebook: "qua Messenger" };
  const tableLabel = (c) => (c.table ? `bàn ${c.table}` : "chưa rõ bàn");

  function waited(seconds) {
    if (seconds < 60) return `${seconds} giây`;
    const minutes = Math.floor(seconds / 60);
    return minutes < 60 ? `${minutes} phút` : `${Math.floor(minutes / 60)} giờ ${minutes % 60} phút`;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function lineNode(line) {
    const item = el("li", `line ${line.author}`);
    const at = new Date(line.at);
    const time = el("time", "", at.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" }));
    time.dateTime = line.at;
    const who =
      line.author === "staff"
        ? `${line.staff_name || "Nhân viên"}: `
        : line.author === "bot"
          ? "Trợ lý: "
          : "Khách: ";
    item.append(time, document.createTextNode(who + line.text));
    return item;
  }

  function header(c) {
    const head = el("div", "conv-head");
    if (c.urgent) head.append(el("span", "conv-badge", "KHẨN CẤP"));
    head.append(el("span", "conv-table", tableLabel(c)));
    if (CHANNELS[c.channel]) head.append(el("span", "conv-channel", CHANNELS[c.channel]));
    head.append(el("span", "conv-need", c.need_label || c.need || "khách muốn gặp nhân viên"));
    const wait = el("span", "conv-wait");
    wait.dataset.since = c.waiting_since;
    wait.dataset.waiting = c.status === "waiting" ? "1" : "";
    head.append(wait);
    if (c.claimed_by) head.append(el("span", "conv-holder", `${c.claimed_by} đang hỗ trợ`));
    return head;
  }

  function actions(c, drafts) {
    const bar = el("div", "conv-actions");
    const mine = c.claimed_by && c.claimed_by === staffName();
    if (!c.claimed_by) bar.append(button("Nhận hỗ trợ", () => act(c.id, "claim", {})));
    if (!c.claimed_by || mine) {
      const box = el("textarea");
      box.placeholder = "Trả lời khách…";
      box.setAttribute("aria-label", `Trả lời ${tableLabel(c)}`);
      box.dataset.conv = c.id;
      box.value = drafts[c.id] || "";
      const send = () => box.value.trim() && act(c.id, "reply", { text: box.value.trim() }, box);
      box.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.shiftKey) {
          e.preventDefault();
          send();
        }
      });
      bar.append(box, button("Gửi", send));
    }
    if (c.claimed_by) bar.append(button("Trả lại cho trợ lý", () => act(c.id, "return"), true));
    return bar;
  }

  function button(text, onClick, secondary) {
    const b = el("button", secondary ? "secondary" : "", text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  /** Waiting times tick on the page; the server sends the queue only when it changes. */
  function tick() {
    queueList.querySelectorAll(".conv-wait").forEach((wait) => {
      const seconds = Math.max(0, Math.round((Date.now() - Date.parse(wait.dataset.since)) / 1000));
      wait.textContent = `chờ ${waited(seconds)}`;
      wait.classList.toggle("long", seconds >= longWaitSeconds && wait.dataset.waiting === "1");
    });
  }
  setInterval(tick, 5000);

  function render(conversations) {
    latest = conversations;
    const drafts = {};
    queueList.querySelectorAll("textarea[data-conv]").forEach((t) => (drafts[t.dataset.conv] = t.value));
    const focused = document.activeElement && document.activeElement.dataset.conv;
    queueList.replaceChildren(
      ...conversations.map((c) => {
        const item = el("li", `conv${c.urgent ? " urgent" : ""}${c.claimed_by ? " claimed" : ""}`);
        item.dataset.id = c.id;
        const lines = el("ol", "lines");
        lines.append(...c.lines.map(lineNode));
        item.append(header(c), lines, actions(c, drafts));
        return item;
      }),
    );
    queueList.querySelectorAll(".lines").forEach((l) => (l.scrollTop = l.scrollHeight));
    if (focused) {
      const box = queueList.querySelector(`textarea[data-conv="${focused}"]`);
      if (box) box.focus();
    }
    empty.hidden = conversations.length > 0;
    tick();
  }

  async function act(id, what, body, box) {
    const name = staffName();
    if (!name) {
      nameInput.focus();
      status.textContent = "Nhập tên của bạn trước (khách sẽ thấy tên này).";
      return;
    }
    const response = await fetch(`/api/staff/conversations/${id}/${what}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name, ...body }),
      credentials: "same-origin",
    });
    if (response.ok && box) box.value = "";
    if (response.status === 502) {
      const problem = await response.json().catch(() => ({}));
      status.textContent = problem.detail || "Chưa gửi được tới khách.";
    } else if (!response.ok) {
      status.textContent = "Không thực hiện được: có thể người khác đã nhận khách này.";
    }
  }

  function ring(fresh) {
    if (!alerts.checked || !fresh.length) return;
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      tone.frequency.value = fresh.some((c) => c.urgent) ? 1200 : 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.3);
    } catch {
      /* no audio: the notification and the page still show it */
    }
    if ("Notification" in window && Notification.permission === "granted") {
      for (const c of fresh) {
        const title = c.urgent ? `KHẨN CẤP — ${tableLabel(c)}` : `Khách cần nhân viên — ${tableLabel(c)}`;
        new Notification(title, { body: c.need_label || "", tag: `hieuy-${c.id}` });
      }
    }
  }

  function renderBookings(bookings) {
    $("bookings").replaceChildren(
      ...bookings.map((b) => {
        const where = b.table ? ` · bàn ${b.table}` : "";
        const wait = b.status === "waitlist" ? " · danh sách chờ" : "";
        const text = `${b.time} · ${b.name || "Khách"} · ${b.party_size} người${where}${wait}`;
        return el("li", b.status === "waitlist" ? "waitlist" : "", text);
      }),
    );
    $("no-bookings").hidden = bookings.length > 0;
  }

  function onQueue(data) {
    if (data.long_wait_seconds > 0) longWaitSeconds = data.long_wait_seconds;
    const conversations = data.conversations || [];
    const seen = new Map(conversations.map((c) => [c.id, c.urgent]));
    if (known) ring(conversations.filter((c) => !known.has(c.id) || (c.urgent && !known.get(c.id))));
    known = seen;
    render(conversations);
    renderBookings(data.bookings || []);
    status.textContent = `Cập nhật lúc ${new Date().toLocaleTimeString("vi-VN")}`;
  }

  const events = new EventSource("/staff/events");
  events.addEventListener("queue", (event) => onQueue(JSON.parse(event.data)));
  events.addEventListener("error", () => (status.textContent = "Mất kết nối, đang thử lại…"));
})();
