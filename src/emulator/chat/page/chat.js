// The chat page of `greenq serve`. Every action is one of the documented JSON routes under
// /chat/; the page's model is rebuilt from the event stream (each event a whole object, so
// a replay shows nothing twice). Text is only ever set with textContent.
"use strict";

const model = { instance: null, contacts: new Map(), messages: new Map(), chat: null, selected: null, quoting: null };
const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

async function call(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const answer = await fetch(path, options);
  const data = await answer.json();
  if (!answer.ok) throw new Error(data.error || answer.statusText);
  return data;
}

function key(instance, id) { return instance + "/" + id; }

function apply(event) {
  if (event.kind === "contact") {
    model.contacts.set(key(event.instance, event.contact.chatId), event.contact);
    if (event.instance === model.instance) renderContacts();
  } else if (event.kind === "message") {
    const m = event.message;
    model.messages.set(key(event.instance, m.idMessage), m);
    if (event.instance !== model.instance) return;
    if (!model.contacts.has(key(event.instance, m.chatId)) && !chatsOfMessages().has(m.chatId)) renderContacts();
    if (m.chatId === model.chat) upsertMessage(m);
    if (model.selected === m.idMessage || (m.replyTo && m.replyTo === model.selected)) renderTrace();
    renderContacts();
  }
}

function chatsOfMessages() {
  const chats = new Set();
  for (const [k, m] of model.messages) if (k.startsWith(model.instance + "/")) chats.add(m.chatId);
  return chats;
}

function renderContacts() {
  const list = $("contact-list");
  const chats = new Map();
  for (const [k, c] of model.contacts) if (k.startsWith(model.instance + "/")) chats.set(c.chatId, c);
  for (const chat of chatsOfMessages()) if (!chats.has(chat)) chats.set(chat, { chatId: chat, name: chat, mode: "normal" });
  list.replaceChildren();
  for (const c of chats.values()) {
    const li = el("li", c.chatId === model.chat ? "selected" : "");
    li.dataset.chat = c.chatId;
    li.append(el("div", "name", c.name), el("div", "mode", c.chatId + " · " + c.mode));
    li.addEventListener("click", () => openChat(c.chatId));
    list.append(li);
  }
}

function openChat(chat) {
  model.chat = chat;
  model.selected = null;
  model.quoting = null;
  $("quoting").hidden = true;
  const c = model.contacts.get(key(model.instance, chat));
  $("chat-title").textContent = c ? c.name + " (" + chat + ")" : chat;
  for (const id of ["text", "send", "send-location"]) $(id).disabled = false;
  const exp = $("export");
  exp.hidden = false;
  exp.href = "/chat/export?instance=" + model.instance + "&chatId=" + encodeURIComponent(chat);
  exp.setAttribute("download", "chat-" + chat.split("@")[0] + ".ndjson");
  $("messages").replaceChildren();
  const mine = [...model.messages.entries()]
    .filter(([k, m]) => k.startsWith(model.instance + "/") && m.chatId === chat)
    .map(([, m]) => m)
    .sort((a, b) => a.atMs - b.atMs);
  for (const m of mine) upsertMessage(m);
  renderContacts();
  renderTrace();
  $("text").focus();
}

const TICKS = { pending: ["🕓", ""], sent: ["✓", ""], delivered: ["✓✓", ""], read: ["✓✓", "read"], noAccount: ["⚠ not on WhatsApp", "bad"], failed: ["⚠ failed", "bad"] };

function safeUrl(url) {
  try {
    const u = new URL(url, location.href);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch (e) { return null; }
}

function body(m) {
  const d = m.messageData || {};
  const box = el("div", "body");
  if (d.quotedMessage) box.append(el("div", "quote", d.quotedMessage.textMessage || d.quotedMessage.typeMessage));
  if (d.textMessageData) box.append(el("span", "text", d.textMessageData.textMessage));
  else if (d.extendedTextMessageData) box.append(el("span", "text", d.extendedTextMessageData.text));
  else if (d.locationMessageData) {
    const l = d.locationMessageData;
    box.append(el("span", "text", "📍 " + [l.nameLocation, l.address].filter(Boolean).join(", ") + " (" + l.latitude + ", " + l.longitude + ")"));
  } else if (d.fileMessageData) {
    const f = d.fileMessageData;
    const url = safeUrl(f.downloadUrl);
    const link = el(url ? "a" : "span", "file", "📎 " + (f.fileName || "file"));
    if (url) { link.href = url; link.setAttribute("download", f.fileName || "file"); link.rel = "noreferrer"; }
    box.append(link);
    if (f.caption) box.append(el("div", "text", f.caption));
  } else if (d.contactMessageData) {
    box.append(el("span", "text", "👤 " + d.contactMessageData.displayName));
  } else if (d.pollMessageData && d.typeMessage === "pollMessage") {
    const p = d.pollMessageData;
    box.append(el("div", "text", "📊 " + p.name));
    for (const o of p.options || []) {
      const voters = (m.votes && Object.hasOwn(m.votes, o.optionName) && m.votes[o.optionName]) || [];
      const b = el("button", "poll-option", o.optionName + (voters.length ? " · " + voters.length : ""));
      b.type = "button";
      b.addEventListener("click", (e) => { e.stopPropagation(); vote(m, o.optionName); });
      box.append(b);
    }
  } else box.append(el("span", "text", d.typeMessage || "message"));
  return box;
}

function upsertMessage(m) {
  const li = el("li", "msg " + m.type + (m.idMessage === model.selected ? " selected" : ""));
  li.dataset.id = m.idMessage;
  li.append(body(m));
  const meta = el("div", "meta", new Date(m.atMs).toLocaleTimeString());
  if (m.type === "outgoing") {
    // Own keys only: a status named "constructor" must not pick Object's.
    const [tick, cls] = Object.hasOwn(TICKS, m.statusMessage) ? TICKS[m.statusMessage] : [m.statusMessage || "", ""];
    const t = el("span", "ticks " + cls, " " + tick);
    t.dataset.status = m.statusMessage || "";
    meta.append(t);
  }
  const reply = el("button", "reply", "reply");
  reply.type = "button";
  reply.addEventListener("click", (e) => { e.stopPropagation(); quote(m); });
  meta.append(reply);
  li.append(meta);
  li.addEventListener("click", () => select(m.idMessage));
  const list = $("messages");
  const old = list.querySelector('li[data-id="' + CSS.escape(m.idMessage) + '"]');
  if (old) old.replaceWith(li);
  else { list.append(li); list.scrollTop = list.scrollHeight; }
}

function quote(m) {
  model.quoting = m.idMessage;
  $("quoting-text").textContent = "Replying to: " + (summary(m) || m.idMessage);
  $("quoting").hidden = false;
  $("text").focus();
}

function summary(m) {
  const d = m.messageData || {};
  return (d.textMessageData && d.textMessageData.textMessage) || (d.extendedTextMessageData && d.extendedTextMessageData.text) || d.typeMessage;
}

function select(id) {
  model.selected = id;
  for (const li of $("messages").children) li.classList.toggle("selected", li.dataset.id === id);
  renderTrace();
}

function renderTrace() {
  const box = $("trace-body");
  const m = model.selected && model.messages.get(key(model.instance, model.selected));
  if (!m) { box.replaceChildren(el("p", "hint", "Click a message to see the bot's API call and every notification it caused.")); return; }
  const parts = [el("p", "", (m.type === "outgoing" ? "Sent by " + (m.sendByApi ? "the API" : "the phone") : "Typed by the user") + " · " + m.idMessage)];
  if (m.call) {
    parts.push(el("h3", "", "API call: " + m.call.method));
    parts.push(el("pre", "", JSON.stringify(m.call.body, null, 2)));
    parts.push(el("p", "", "answered " + JSON.stringify(m.call.answer)));
  }
  if (m.answerMs !== undefined && m.answerMs !== null) parts.push(el("p", "answer-time", "answered the user's message in " + m.answerMs + " ms"));
  for (const [, other] of model.messages) {
    if (other.replyTo === m.idMessage) parts.push(el("p", "answer-time", "the bot answered in " + other.answerMs + " ms (" + other.idMessage + ")"));
  }
  parts.push(el("h3", "", "Notifications"));
  const table = el("table");
  const head = el("tr");
  for (const h of ["typeWebhook", "status", "receiptId", "received", "deleted"]) head.append(el("th", "", h));
  table.append(head);
  for (const n of m.notifications || []) {
    const row = el("tr");
    row.append(el("td", "", n.typeWebhook), el("td", "", n.status || ""));
    row.append(el("td", "", n.receiptId !== undefined ? n.receiptId : n.outcome + (n.switch ? " (" + n.switch + " is no)" : "")));
    row.append(el("td", n.received > 1 ? "redelivered" : "", n.received > 1 ? n.received + "× (redelivered)" : n.received ? "yes" : "no"));
    row.append(el("td", "", n.deleted ? "yes" : "no"));
    table.append(row);
  }
  parts.push(table);
  box.replaceChildren(...parts);
}

async function vote(m, option) {
  try {
    await call("POST", "/chat/votes", { instance: model.instance, chatId: m.chatId, idMessage: m.idMessage, optionNames: [option] });
  } catch (e) { alert(e.message); }
}

async function send(event) {
  event.preventDefault();
  const text = $("text").value;
  if (!text || !model.chat) return;
  const body = { instance: model.instance, chatId: model.chat, text };
  if (model.quoting) body.quotedMessageId = model.quoting;
  try {
    await call("POST", "/chat/messages", body);
    $("text").value = "";
    model.quoting = null;
    $("quoting").hidden = true;
  } catch (e) { alert(e.message); }
}

async function sendLocation() {
  const answer = prompt("latitude, longitude", "55.7522, 37.6156");
  if (!answer) return;
  const [latitude, longitude] = answer.split(",").map(Number);
  try {
    await call("POST", "/chat/messages", { instance: model.instance, chatId: model.chat, location: { latitude, longitude } });
  } catch (e) { alert(e.message); }
}

async function addContact(event) {
  event.preventDefault();
  try {
    const c = await call("POST", "/chat/contacts", { instance: model.instance, number: $("c-number").value, name: $("c-name").value, mode: $("c-mode").value });
    $("c-number").value = "";
    $("c-name").value = "";
    model.contacts.set(key(model.instance, c.chatId), c);
    openChat(c.chatId);
  } catch (e) { alert(e.message); }
}

async function watchReceivers() {
  try {
    const status = await call("GET", "/chat/status");
    const select = $("instance");
    if (!select.options.length) {
      for (const i of status.instances) select.append(new Option(String(i.instance), String(i.instance)));
      model.instance = status.instances.length ? status.instances[0].instance : null;
      renderContacts();
    }
    const mine = status.instances.find((i) => i.instance === model.instance);
    if (mine) {
      $("banner").hidden = !(mine.waiting === 0 && mine.idleSeconds >= 30);
      $("bot").textContent = mine.waiting > 0 ? "· a bot is receiving" : "· last receive " + mine.idleSeconds + " s ago";
    }
  } catch (e) { $("bot").textContent = "· the emulator does not answer"; }
}

function start() {
  $("compose").addEventListener("submit", send);
  $("add-contact").addEventListener("submit", addContact);
  $("send-location").addEventListener("click", sendLocation);
  $("quoting-cancel").addEventListener("click", () => { model.quoting = null; $("quoting").hidden = true; });
  $("instance").addEventListener("change", (e) => {
    model.instance = Number(e.target.value);
    model.chat = null;
    $("messages").replaceChildren();
    renderContacts();
  });
  watchReceivers().then(() => {
    const events = new EventSource("/chat/events");
    events.onmessage = (e) => apply(JSON.parse(e.data));
  });
  setInterval(watchReceivers, 2000);
}

start();
