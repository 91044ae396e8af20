/*
 * qa_service embeddable chat widget (self-contained, no dependencies).
 * Embed: <script src="https://host/widget.js" data-city="ulm" data-title="…" data-color="#0a5" async></script>
 * Renders into a shadow root (styles via a constructable stylesheet, no inline styles), talks to
 * <script origin>/api/chat with Server-Sent Events, keeps the session id in memory only and
 * exposes nothing but window.QAWidget = {open, close, version}.
 * GET /widget.js serves it in one closure after web/shared.js (QAShared); not loadable alone.
 */
(function () {
  "use strict";

  if (window.QAWidget) return; // loaded twice: keep the first instance

  const S = QAShared; // from web/shared.js, in the same closure
  const el = S.el;

  const VERSION = "1.0.0";
  const DEFAULT_TITLE = "Fragen zur Smart City";
  const DEFAULT_COLOR = "#0b5cad";
  const TEXT = {
    refused: "Dieser Chat ist für diese Website nicht freigeschaltet.",
    down: "Der Dienst ist gerade nicht erreichbar.",
    abstained: "Dazu enthält der Korpus keine Informationen.",
    generic: "Es ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.",
    interrupted: "Die Antwort wurde unterbrochen. Bitte versuchen Sie es erneut.",
    loading: "Antwort wird erstellt …",
    welcome: "Stellen Sie eine Frage. Die Antworten nennen ihre Quellen.",
  };

  const scriptEl = findOwnScript();
  const config = readConfig(scriptEl);
  const state = {
    sessionId: null, access: null, accessCheck: null, busy: false, mounted: false,
  };
  const sourceBox = S.disclosure(false); // the one open source details box
  const nextId = S.idMaker("qaw-");
  const ui = {};

  window.QAWidget = Object.freeze({ version: VERSION, open: openPanel, close: closePanel });

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  /* ---------- configuration ---------- */

  function findOwnScript() {
    if (document.currentScript) return document.currentScript;
    const scripts = document.getElementsByTagName("script");
    for (let i = scripts.length - 1; i >= 0; i--) {
      const src = scripts[i].src || "";
      if (src.split(/[?#]/)[0].endsWith("/widget.js")) return scripts[i];
    }
    return null;
  }

  function readConfig(script) {
    const data = (script && script.dataset) || {};
    let base = window.location.origin;
    try {
      if (script && script.src) base = new URL(script.src, window.location.href).origin;
    } catch (e) { /* keep page origin */ }
    const city = (data.city || "").trim();
    const title = (data.title || "").trim();
    const color = (data.color || "").trim();
    return {
      base: base,
      city: city || null,
      title: title || DEFAULT_TITLE,
      color: /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(color) ? color : DEFAULT_COLOR,
    };
  }

  /** Black or white, whichever contrasts more with the accent colour. */
  function textColorFor(hex) {
    let h = hex.slice(1);
    if (h.length === 3) h = h.replace(/./g, "$&$&");
    const lin = [0, 2, 4].map(function (i) {
      const c = parseInt(h.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    const lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    return (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) ? "#ffffff" : "#000000";
  }

  /* ---------- styles (adopted into the shadow root) ---------- */

  function buildCss(accent, onAccent) {
    return [
      ":host { all: initial; }",
      // page rules still beat normal :host rules; important ones in the shadow win over the page
      ":host { all: initial !important; }",
      "*, *::before, *::after { box-sizing: border-box; }",
      "[hidden] { display: none !important; }",
      ".root { all: initial; position: fixed; right: 16px; bottom: 16px; z-index: 2147483000;",
      "  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif;",
      "  font-size: 15px; line-height: 1.45; color: #1b1f24; text-align: left; }",
      "button, textarea { font: inherit; }",
      ":focus-visible { outline: 3px solid #1b1f24; outline-offset: 2px; box-shadow: 0 0 0 2px #fff; }",
      ".launcher { width: 56px; height: 56px; border-radius: 50%; border: 2px solid #fff;",
      "  background: " + accent + "; color: " + onAccent + "; cursor: pointer; display: flex;",
      "  align-items: center; justify-content: center; box-shadow: 0 4px 14px rgba(0,0,0,.3);",
      "  margin-left: auto; padding: 0; }",
      ".launcher svg { width: 28px; height: 28px; }",
      ".panel { position: absolute; right: 0; bottom: 68px; display: flex; flex-direction: column;",
      "  width: min(380px, calc(100vw - 32px)); height: min(560px, calc(100vh - 100px));",
      "  background: #fff; border: 1px solid #8a939e; border-radius: 10px; overflow: hidden;",
      "  box-shadow: 0 8px 28px rgba(0,0,0,.25); }",
      ".head { display: flex; align-items: center; gap: 8px; padding: 8px 8px 8px 14px;",
      "  background: " + accent + "; color: " + onAccent + "; }",
      ".title { margin: 0; font-size: 16px; font-weight: 700; flex: 1; overflow-wrap: anywhere; }",
      ".close { background: transparent; color: inherit; border: 2px solid currentColor;",
      "  border-radius: 6px; min-width: 36px; min-height: 36px; cursor: pointer; font-size: 18px; }",
      ".messages { flex: 1; overflow-y: auto; padding: 10px 12px; overflow-wrap: anywhere; }",
      ".welcome { color: #4a525c; margin: 0 0 8px; }",
      ".user { background: #e4eefa; border-radius: 8px; padding: 6px 10px; margin: 8px 0 6px 24px;",
      "  white-space: pre-wrap; }",
      ".bot { border: 1px solid #c9d0d8; border-radius: 8px; padding: 6px 10px; margin: 0 24px 10px 0; }",
      ".answer-text { white-space: pre-wrap; }",
      ".loading { color: #4a525c; font-style: italic; margin: 2px 0; }",
      ".cite { font: inherit; font-size: 13px; font-weight: 700; color: #084887; background: #e4eefa;",
      "  border: 1px solid transparent; border-radius: 4px; padding: 0 3px; margin: 0 1px; cursor: pointer; }",
      ".cite[aria-expanded='true'] { background: #084887; color: #fff; }",
      ".cite-group { white-space: nowrap; }",
      ".details { border: 2px solid #084887; border-radius: 6px; padding: 6px 8px; margin: 6px 0;",
      "  font-size: 14px; }",
      ".details-title { font-weight: 700; margin: 0; }",
      ".meta { color: #4a525c; margin: 2px 0; font-size: 13px; }",
      ".snippet { margin: 4px 0; padding: 2px 6px; border-left: 3px solid #8a939e; background: #f4f6f8;",
      "  white-space: pre-wrap; }",
      "a { color: #084887; }",
      ".sources-heading { font-size: 13px; font-weight: 700; margin: 8px 0 2px; }",
      ".sources { margin: 0; padding-left: 22px; font-size: 13px; }",
      ".sources li { margin: 2px 0; }",
      ".notice { background: #fff4cc; color: #5a4300; border-left: 4px solid #a37800;",
      "  padding: 4px 8px; margin: 6px 0; border-radius: 4px; }",
      ".error, .refused { background: #fdecee; color: #8f0010; border-left: 4px solid #8f0010;",
      "  padding: 6px 10px; margin: 6px 0; border-radius: 4px; }",
      ".status { padding: 0 12px; }",
      ".status:empty { display: none; }",
      ".form { border-top: 1px solid #c9d0d8; padding: 8px 12px 12px; }",
      ".form label { display: block; font-weight: 700; margin-bottom: 2px; }",
      ".row { display: flex; gap: 6px; align-items: flex-end; }",
      ".input { flex: 1; min-width: 0; min-height: 44px; max-height: 120px; resize: vertical;",
      "  border: 2px solid #8a939e; border-radius: 6px; padding: 6px 8px; color: #1b1f24; background: #fff; }",
      ".send { min-height: 44px; padding: 0 12px; border-radius: 6px; cursor: pointer;",
      "  border: 2px solid " + accent + "; background: " + accent + "; color: " + onAccent + "; }",
      ".send:disabled, .input:disabled { background: #e6e9ed; color: #4a525c; border-color: #8a939e;",
      "  cursor: not-allowed; }",
      "@media (max-width: 420px) { .root { right: 12px; bottom: 12px; }",
      "  .panel { width: calc(100vw - 24px); height: min(560px, calc(100vh - 92px)); } }",
    ].join("\n");
  }

  /* ---------- DOM helpers ---------- */

  function link(url, text) {
    return S.externalLink(url, text);
  }

  function chatIcon() {
    return S.svgIcon("M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 " +
      "6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z");
  }

  /* ---------- mounting ---------- */

  function mount() {
    if (state.mounted) return;
    state.mounted = true;
    const host = el("div");
    host.id = "qa-widget-host";
    const shadow = host.attachShadow({ mode: "open" });
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(buildCss(config.color, textColorFor(config.color)));
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) { /* very old browser: unstyled but usable */ }

    const root = el("div", "root");
    root.appendChild(buildPanel());
    root.appendChild(buildLauncher());
    shadow.appendChild(root);
    root.addEventListener("keydown", onKeydown);
    document.body.appendChild(host);
    ui.shadow = shadow;
    if (state.openRequested) openPanel();
  }

  function buildLauncher() {
    const b = el("button", "launcher");
    b.type = "button";
    b.setAttribute("aria-label", config.title);
    b.setAttribute("aria-expanded", "false");
    b.setAttribute("aria-controls", ui.panel.id);
    b.appendChild(chatIcon());
    b.addEventListener("click", function () {
      if (ui.panel.hidden) openPanel(); else closePanel();
    });
    ui.launcher = b;
    return b;
  }

  function buildPanel() {
    const panel = el("div", "panel");
    panel.id = nextId("panel");
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", config.title);

    const head = el("div", "head");
    head.appendChild(el("h2", "title", config.title));
    const close = el("button", "close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Schließen");
    close.addEventListener("click", closePanel);
    head.appendChild(close);

    const messages = el("div", "messages");
    messages.appendChild(el("p", "welcome", TEXT.welcome));
    const status = el("div", "status");

    panel.append(head, messages, status, buildForm());
    ui.panel = panel;
    ui.messages = messages;
    ui.status = status;
    return panel;
  }

  function buildForm() {
    const form = el("form", "form");
    form.noValidate = true;
    const inputId = nextId("q");
    const label = el("label", null, "Ihre Frage");
    label.htmlFor = inputId;
    const input = el("textarea", "input");
    input.id = inputId;
    input.rows = 2;
    const send = el("button", "send", "Senden");
    send.type = "submit";
    const row = el("div", "row");
    row.append(input, send);
    form.append(label, row);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit();
    });
    input.addEventListener("keydown", function (event) {
      if (S.isSubmitKey(event)) {
        event.preventDefault();
        submit();
      }
    });
    ui.input = input;
    ui.send = send;
    return form;
  }

  /* ---------- open / close ---------- */

  function openPanel() {
    if (!state.mounted) {
      state.openRequested = true;
      return;
    }
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    if (!ui.input.disabled) ui.input.focus();
    else ui.panel.querySelector(".close").focus();
    if (!state.access) ensureAccess();
  }

  function closePanel() {
    state.openRequested = false;
    if (!state.mounted || ui.panel.hidden) return;
    sourceBox.close(false);
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.focus();
  }

  function onKeydown(event) {
    if (event.key !== "Escape") return;
    if (sourceBox.isOpen()) sourceBox.close(true);
    else if (!ui.panel.hidden) closePanel();
    else return;
    event.stopPropagation();
  }

  /* ---------- availability (CORS) ---------- */

  async function checkAccess() {
    const url = config.base + "/api/widget/ping";
    try {
      const response = await fetch(url, { credentials: "omit" });
      if (response.ok) return "ok";
      return response.status === 403 ? "refused" : "down";
    } catch (e) {
      if (!(e instanceof TypeError)) return "down";
    }
    try {
      await fetch(url, { mode: "no-cors", credentials: "omit" });
      return "refused"; // reachable, but this origin is not allowed
    } catch (e) {
      return "down";
    }
  }

  /** Runs (or joins) the ping check and shows its outcome in the panel. */
  function ensureAccess() {
    if (state.accessCheck) return state.accessCheck;
    state.access = "checking";
    state.accessCheck = checkAccess().then(function (result) {
      state.access = result;
      state.accessCheck = null;
      showAccessStatus(result);
      return result;
    });
    return state.accessCheck;
  }

  function showAccessStatus(result) {
    ui.status.textContent = "";
    const hadFocus = ui.shadow && ui.shadow.activeElement === ui.input;
    setInputEnabled(result !== "refused");
    if (hadFocus && ui.input.disabled) ui.panel.querySelector(".close").focus();
    if (result === "ok") return;
    const box = el("p", result === "refused" ? "refused" : "error unreachable",
      result === "refused" ? TEXT.refused : TEXT.down);
    box.setAttribute("role", "alert");
    ui.status.appendChild(box);
  }

  function setInputEnabled(enabled) {
    ui.input.disabled = !enabled;
    ui.send.disabled = !enabled || state.busy;
  }

  /* ---------- answers ---------- */

  function createTurn(question) {
    ui.messages.appendChild(el("div", "user", question));
    const bot = el("div", "bot");
    const text = el("div", "answer-text");
    text.setAttribute("aria-live", "polite");
    const loading = el("p", "loading", TEXT.loading);
    const details = el("div", "details-slot");
    const error = el("div", "error-slot");
    const sources = el("div", "sources-box");
    bot.append(text, loading, details, error, sources);
    ui.messages.appendChild(bot);
    scrollToEnd();
    return { text: text, loading: loading, details: details, error: error, sources: sources,
      citations: [], abstained: false, answer: "", pending: "", finished: false, failed: false };
  }

  function scrollToEnd() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  function renderSources(turn) {
    const box = turn.sources;
    box.textContent = "";
    if (turn.abstained) box.appendChild(el("p", "notice", TEXT.abstained));
    if (!turn.citations.length) return;
    box.appendChild(el("p", "sources-heading", turn.abstained ? "Nächstliegende Quellen" : "Quellen"));
    const ol = el("ol", "sources");
    turn.citations.forEach(function (c) {
      const li = el("li");
      li.value = c.n;
      li.appendChild(link(c.url, S.citationTitle(c)));
      const dates = S.citationDates(c);
      const meta = [c.city, dates.join(", ")].filter(Boolean).join(", ");
      if (meta) li.appendChild(document.createTextNode(" (" + meta + ")"));
      ol.appendChild(li);
    });
    box.appendChild(ol);
  }

  function buildDetails(c) {
    const box = el("div", "details");
    box.id = nextId("src");
    box.tabIndex = -1;
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Quelle " + c.n);
    box.appendChild(el("p", "details-title", "[" + c.n + "] " + S.citationTitle(c)));
    const place = S.citationPlace(c);
    if (place) box.appendChild(el("p", "meta", place));
    if (c.snippet) box.appendChild(el("p", "snippet", c.snippet));
    if (S.safeUrl(c.url)) {
      const p = el("p", "meta");
      p.appendChild(link(c.url, "Originalquelle"));
      box.appendChild(p);
    }
    const dates = S.citationDates(c);
    if (dates.length) box.appendChild(el("p", "meta", "Stand: " + dates.join(", ")));
    return box;
  }

  function appendWithMarkers(turn, text) {
    S.appendTextWithMarkers(turn.text, text, turn.citations, function (c, marker) {
      sourceBox.toggle(turn.details, c, marker, buildDetails);
    });
  }

  /** Appends streamed text, holding back a trailing unclosed "[…" until it completes. */
  function appendDelta(turn, text) {
    turn.loading.remove();
    turn.answer += text;
    const ready = S.takeReady(turn, text);
    if (ready) appendWithMarkers(turn, ready);
    scrollToEnd();
  }

  function finish(turn) {
    turn.loading.remove();
    if (turn.pending) appendWithMarkers(turn, turn.pending);
    turn.pending = "";
  }

  function showError(turn, message) {
    finish(turn);
    turn.error.textContent = "";
    const p = el("p", "error", message || TEXT.generic);
    p.setAttribute("role", "alert");
    turn.error.appendChild(p);
    scrollToEnd();
  }

  function onSources(turn, data) {
    if (data.session_id) state.sessionId = String(data.session_id);
    turn.abstained = Boolean(data.abstained);
    turn.citations = S.validCitations(data.citations);
    renderSources(turn);
  }

  function onEvent(turn, name, data) {
    if (name === "sources") onSources(turn, data || {});
    else if (name === "delta" && data && typeof data.text === "string") appendDelta(turn, data.text);
    else if (name === "done") {
      finish(turn);
      releaseBusy(turn);
      turn.finished = true;
      if (!turn.answer.trim() && data && data.answer) {
        turn.answer = String(data.answer);
        appendWithMarkers(turn, turn.answer);
      }
      if (data && typeof data.abstained === "boolean" && data.abstained !== turn.abstained) {
        turn.abstained = data.abstained;
        renderSources(turn);
      }
      scrollToEnd();
    } else if (name === "error") {
      turn.failed = true;
      releaseBusy(turn);
      const err = data && data.error;
      showError(turn, err && err.message_de ? String(err.message_de) : TEXT.generic);
    }
  }

  /* ---------- networking ---------- */

  async function requestAnswer(turn, message) {
    let response;
    try {
      response = await S.postChat(config.base + "/api/chat",
        { session_id: state.sessionId, message: message, city: config.city }, { credentials: "omit" });
    } catch (e) {
      const result = await ensureAccess();
      showError(turn, result === "refused" ? TEXT.refused : TEXT.down);
      return;
    }
    if (!response.ok) {
      showError(turn, await S.errorMessage(response, TEXT.generic));
      return;
    }
    if (!S.isEventStream(response)) {
      const data = await response.json();
      onSources(turn, data);
      onEvent(turn, "done", data);
      return;
    }
    try {
      await S.readSse(response, function (name, data) {
        try {
          onEvent(turn, name, data);
        } catch (e) { /* ignore an event that cannot be shown */ }
      });
    } catch (e) {
      showError(turn, TEXT.down);
      return;
    }
    if (!turn.finished && !turn.failed) showError(turn, TEXT.interrupted);
  }

  async function submit() {
    const message = ui.input.value.trim();
    if (!message || state.busy || ui.input.disabled) return;
    if (state.access !== "ok") {
      const result = await ensureAccess();
      if (result === "refused") return;
    }
    ui.input.value = "";
    state.busy = true;
    ui.send.disabled = true;
    const turn = createTurn(message);
    state.current = turn;
    try {
      await requestAnswer(turn, message);
    } catch (e) {
      showError(turn, TEXT.generic);
    } finally {
      releaseBusy(turn);
    }
  }

  /** The answer is complete: allow the next question (also before the stream closes). */
  function releaseBusy(turn) {
    if (state.current !== turn) return;
    state.current = null;
    state.busy = false;
    ui.send.disabled = ui.input.disabled;
  }
})();
