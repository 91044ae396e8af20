/*
 * Smart-City-Atlas chat page.
 * Loads the city list, sends questions to POST /api/chat (Server-Sent Events),
 * renders streamed answers with clickable [n] source markers, a source list,
 * copy-with-sources and thumbs feedback. Every server string goes in via
 * textContent / text nodes only (CSP: default-src 'self', no inline code).
 */
(function () {
  "use strict";

  const S = QAShared;
  const el = S.el;
  const ABSTAIN_NOTICE = "Dazu enthält der Korpus keine Informationen.";
  const GENERIC_ERROR = "Es ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.";
  const NETWORK_ERROR = "Der Dienst ist gerade nicht erreichbar. Bitte prüfen Sie Ihre Verbindung.";
  const INTERRUPTED_ERROR = "Die Antwort wurde unterbrochen. Bitte versuchen Sie es erneut.";

  const state = {
    sessionId: null,
    busy: false,
    controller: null,
  };
  const popover = S.disclosure(true); // the one open source popover
  const nextId = S.idMaker("");

  const els = {};

  /** An external link, or plain text when the URL is not http(s). */
  function externalLink(url, text) {
    return S.externalLink(url, text, "ext-link", "no-link");
  }

  /* ---------- citations ---------- */

  /** One line per supporting source: link (or title) plus publication and date. */
  function renderSupportingSources(citation) {
    const list = el("ul", "source-origins");
    (citation.sources || []).forEach(function (s) {
      if (!s) return;
      const li = el("li");
      li.appendChild(externalLink(s.url, s.title || s.url || "Quelle"));
      const meta = [];
      if (s.publication) meta.push(String(s.publication));
      if (s.date) meta.push("Stand: " + s.date);
      if (meta.length) li.appendChild(el("span", "meta", " (" + meta.join(", ") + ")"));
      list.appendChild(li);
    });
    return list;
  }

  function renderSourceItem(citation) {
    const li = el("li", "source");
    li.value = citation.n;
    li.appendChild(el("span", "source-title", S.citationTitle(citation)));
    const place = S.citationPlace(citation);
    if (place) li.appendChild(el("span", "source-place", place));
    const url = S.safeUrl(citation.url);
    if (url) {
      const p = el("p", "source-primary");
      p.appendChild(externalLink(url, "Originalquelle"));
      li.appendChild(p);
    }
    if (citation.sources && citation.sources.length) li.appendChild(renderSupportingSources(citation));
    return li;
  }

  function renderSourceList(turn) {
    const box = turn.sourcesBox;
    box.textContent = "";
    const citations = turn.citations;
    if (turn.abstained) box.appendChild(el("p", "notice", ABSTAIN_NOTICE));
    if (!citations.length) return;
    const headingText = turn.abstained ? "Nächstliegende Quellen" : "Quellen";
    box.appendChild(el("h3", "sources-heading", headingText));
    const ol = el("ol", "sources");
    S.sortedByNumber(citations).forEach(function (c) { ol.appendChild(renderSourceItem(c)); });
    box.appendChild(ol);
  }

  /* ---------- source popover ---------- */

  function buildPopover(citation) {
    const panel = el("div", "popover");
    panel.id = nextId("popover");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Quelle " + citation.n);
    panel.tabIndex = -1;

    const head = el("div", "popover-head");
    head.appendChild(el("span", "popover-num", "[" + citation.n + "]"));
    head.appendChild(el("span", "popover-title", S.citationTitle(citation)));
    panel.appendChild(head);

    const place = S.citationPlace(citation);
    if (place) panel.appendChild(el("p", "popover-place", place));
    if (citation.snippet) panel.appendChild(el("blockquote", "snippet", citation.snippet));

    const url = S.safeUrl(citation.url);
    if (url) {
      const p = el("p", "popover-link");
      p.appendChild(externalLink(url, "Originalquelle"));
      panel.appendChild(p);
    }
    const dates = S.citationDates(citation);
    if (dates.length) panel.appendChild(el("p", "popover-dates", "Stand: " + dates.join(", ")));
    if (citation.sources && citation.sources.length) panel.appendChild(renderSupportingSources(citation));

    const close = el("button", "btn btn-small popover-close", "Schließen");
    close.type = "button";
    close.addEventListener("click", function () { popover.close(true); });
    panel.appendChild(close);

    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.stopPropagation();
        popover.close(true);
      }
    });
    return panel;
  }

  /* ---------- answer text with markers ---------- */

  function appendTextWithMarkers(turn, parent, text) {
    S.appendTextWithMarkers(parent, text, turn.citations, function (citation, marker) {
      popover.toggle(turn.popoverSlot, citation, marker, buildPopover);
    });
  }

  /** Renders streamed text; holds back a trailing, still unclosed "[..." */
  function appendDelta(turn, text) {
    turn.loading.remove();
    turn.answerText += text;
    const ready = S.takeReady(turn, text);
    if (ready) appendTextWithMarkers(turn, turn.answerEl, ready);
  }

  function flushPending(turn) {
    if (turn.pending) appendTextWithMarkers(turn, turn.answerEl, turn.pending);
    turn.pending = "";
  }

  function renderFullAnswer(turn, answer) {
    turn.answerEl.textContent = "";
    turn.pending = "";
    turn.answerText = String(answer || "");
    appendTextWithMarkers(turn, turn.answerEl, turn.answerText);
  }

  /* ---------- turn (question + answer) ---------- */

  function createTurn(question) {
    const li = el("li", "turn");
    const q = el("div", "question");
    q.appendChild(el("span", "speaker", "Ihre Frage: "));
    q.appendChild(el("span", "question-text", question));
    li.appendChild(q);

    const article = el("article", "answer");
    article.setAttribute("aria-label", "Antwort");
    article.appendChild(el("span", "speaker", "Antwort:"));
    const answerEl = el("div", "answer-text");
    answerEl.setAttribute("aria-live", "polite");
    const loading = el("p", "loading", "Antwort wird erstellt …");
    const popoverSlot = el("div", "popover-slot");
    const errorSlot = el("div", "error-slot");
    const sourcesBox = el("div", "sources-box");
    const actions = el("div", "answer-actions");
    actions.hidden = true;
    article.append(answerEl, loading, popoverSlot, errorSlot, sourcesBox, actions);
    li.appendChild(article);

    els.conversation.appendChild(li);
    els.emptyHint.hidden = true;
    li.scrollIntoView({ block: "nearest" });
    return {
      root: li, answerEl: answerEl, loading: loading, popoverSlot: popoverSlot,
      errorSlot: errorSlot, sourcesBox: sourcesBox, actions: actions,
      question: question, answerText: "", pending: "", citations: [],
      abstained: false, answerId: null,
    };
  }

  function showError(container, message) {
    container.textContent = "";
    const box = el("p", "error", message || GENERIC_ERROR);
    box.setAttribute("role", "alert");
    container.appendChild(box);
  }

  function finishTurn(turn) {
    turn.loading.remove();
    flushPending(turn);
  }

  /* ---------- copy with sources ---------- */

  function copyText(turn) {
    const lines = [turn.answerText.trim(), "", "Quellen:"];
    S.sortedByNumber(turn.citations).forEach(function (c) {
      let line = "[" + c.n + "] " + S.citationTitle(c);
      const url = S.primaryUrl(c);
      if (url) line += " – " + url;
      const dates = S.citationDates(c);
      if (dates.length) line += " (" + dates.join(", ") + ")";
      lines.push(line);
    });
    return lines.join("\n");
  }

  function copyWithSources(turn, status) {
    const done = function (message) {
      status.textContent = message;
      window.setTimeout(function () { if (status.textContent === message) status.textContent = ""; }, 4000);
    };
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      done("Kopieren ist in diesem Browser nicht möglich.");
      return;
    }
    navigator.clipboard.writeText(copyText(turn)).then(
      function () { done("Kopiert"); },
      function () { done("Kopieren fehlgeschlagen."); }
    );
  }

  /* ---------- feedback ---------- */

  function sendFeedback(turn, rating, buttons, status) {
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.rating === rating)); });
    status.textContent = "Feedback wird gesendet …";
    postJson("/api/feedback", {
      answer_id: turn.answerId, rating: rating, comment: null,
      question: turn.question, answer: turn.answerText,
    }).then(function () {
      status.textContent = "Danke für Ihr Feedback.";
    }).catch(function (err) {
      status.textContent = "";
      showError(turn.errorSlot, err.message);
    });
  }

  function renderActions(turn) {
    const bar = turn.actions;
    bar.textContent = "";
    const copy = el("button", "btn btn-small", "Mit Quellen kopieren");
    copy.type = "button";
    const copyStatus = el("span", "action-status", "");
    copyStatus.setAttribute("role", "status");
    copy.addEventListener("click", function () { copyWithSources(turn, copyStatus); });
    bar.append(copy, copyStatus);

    if (turn.answerId) {
      const group = el("div", "feedback");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Bewertung der Antwort");
      const up = feedbackButton("up", "Hilfreich");
      const down = feedbackButton("down", "Nicht hilfreich");
      const status = el("span", "action-status", "");
      status.setAttribute("role", "status");
      [up, down].forEach(function (b) {
        b.addEventListener("click", function () { sendFeedback(turn, b.dataset.rating, [up, down], status); });
      });
      group.append(up, down, status);
      bar.appendChild(group);
    }
    bar.hidden = false;
  }

  const THUMB_PATHS = {
    up: "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 " +
      "7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23" +
      ".14-.47.14-.73v-2z",
    down: "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 " +
      "4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 " +
      "0v12h4V3h-4z",
  };

  function thumbIcon(rating) {
    return S.svgIcon(THUMB_PATHS[rating], 18);
  }

  function feedbackButton(rating, label) {
    const b = el("button", "btn btn-small btn-thumb");
    b.appendChild(thumbIcon(rating));
    b.type = "button";
    b.dataset.rating = rating;
    b.setAttribute("aria-label", label);
    b.setAttribute("aria-pressed", "false");
    b.title = label;
    return b;
  }

  /* ---------- HTTP ---------- */

  class ApiError extends Error {}

  async function errorFromResponse(response) {
    let message = await S.errorMessage(response, GENERIC_ERROR);
    const retry = response.headers.get("Retry-After");
    if (response.status === 429 && retry && /^\d+$/.test(retry.trim())) {
      message += " (Erneut möglich in " + retry.trim() + " s.)";
    }
    return new ApiError(message);
  }

  async function postJson(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(NETWORK_ERROR);
    }
    if (!response.ok) throw await errorFromResponse(response);
    return response.json().catch(function () { return {}; });
  }

  /* ---------- chat flow ---------- */

  function handleSources(turn, data) {
    if (data.session_id) state.sessionId = String(data.session_id);
    turn.answerId = data.answer_id ? String(data.answer_id) : null;
    turn.abstained = Boolean(data.abstained);
    turn.citations = S.validCitations(data.citations);
    renderSourceList(turn);
  }

  /** The answer is complete (done/error event): allow the next question right away. */
  function releaseBusy(turn) {
    if (state.controller && state.controller === turn.controller) {
      state.controller = null;
      setBusy(false);
    }
  }

  function handleDone(turn, data) {
    finishTurn(turn);
    releaseBusy(turn);
    if (!turn.answerText.trim() && data.answer) renderFullAnswer(turn, data.answer);
    else if (typeof data.answer === "string" && data.answer.trim()) turn.answerText = data.answer;
    if (typeof data.abstained === "boolean" && data.abstained !== turn.abstained) {
      turn.abstained = data.abstained;
      renderSourceList(turn);
    }
    turn.finished = true;
    renderActions(turn);
  }

  function handleStreamEvent(turn, name, data) {
    if (name === "sources") handleSources(turn, data);
    else if (name === "delta" && data && typeof data.text === "string") appendDelta(turn, data.text);
    else if (name === "done") handleDone(turn, data || {});
    else if (name === "error") {
      finishTurn(turn);
      releaseBusy(turn);
      turn.failed = true;
      const err = data && data.error;
      showError(turn.errorSlot, err && err.message_de ? String(err.message_de) : GENERIC_ERROR);
    }
  }

  /** Server answered with plain JSON instead of a stream: render it in one go. */
  async function handleJsonAnswer(turn, response) {
    const data = await response.json();
    handleSources(turn, data);
    finishTurn(turn);
    renderFullAnswer(turn, data.answer);
    turn.finished = true;
    renderActions(turn);
  }

  async function runChat(turn, message, city, signal) {
    let response;
    try {
      response = await S.postChat("/api/chat",
        { session_id: state.sessionId, message: message, city: city || null }, { signal: signal });
    } catch (e) {
      if (e.name === "AbortError") return;
      throw new ApiError(NETWORK_ERROR);
    }
    if (!response.ok) throw await errorFromResponse(response);
    if (!S.isEventStream(response)) {
      await handleJsonAnswer(turn, response);
      return;
    }
    try {
      await S.readSse(response, function (name, data) { handleStreamEvent(turn, name, data); });
    } catch (e) {
      if (e.name === "AbortError") return;
      throw new ApiError(NETWORK_ERROR);
    }
    if (!turn.finished && !turn.failed) throw new ApiError(INTERRUPTED_ERROR);
  }

  function setBusy(busy) {
    state.busy = busy;
    els.send.disabled = busy;
    els.send.textContent = busy ? "Wird gesendet …" : "Senden";
  }

  async function ask(message) {
    const city = els.city.value;
    const turn = createTurn(message);
    const controller = new AbortController();
    state.controller = controller;
    turn.controller = controller;
    setBusy(true);
    try {
      await runChat(turn, message, city, controller.signal);
    } catch (err) {
      finishTurn(turn);
      showError(turn.errorSlot, err instanceof ApiError ? err.message : GENERIC_ERROR);
    } finally {
      if (state.controller === controller) {
        state.controller = null;
        setBusy(false);
      }
    }
  }

  function submitQuestion() {
    const message = els.question.value.trim();
    els.formError.hidden = true;
    if (state.busy) return;
    if (!message) {
      showFormError("Bitte geben Sie eine Frage ein.");
      els.question.focus();
      return;
    }
    els.question.value = "";
    ask(message);
  }

  function showFormError(message) {
    els.formError.textContent = message;
    els.formError.hidden = false;
  }

  function newConversation() {
    if (state.controller) state.controller.abort();
    state.controller = null;
    setBusy(false);
    popover.close(false);
    state.sessionId = null;
    els.conversation.textContent = "";
    els.emptyHint.hidden = false;
    els.formError.hidden = true;
    els.formStatus.textContent = "Neues Gespräch begonnen.";
    els.question.focus();
  }

  /* ---------- cities ---------- */

  async function loadCities() {
    let response;
    try {
      response = await fetch("/api/cities", { headers: { "Accept": "application/json" } });
    } catch (e) {
      showFormError("Die Städteliste konnte nicht geladen werden. " + NETWORK_ERROR);
      return;
    }
    if (!response.ok) {
      const err = await errorFromResponse(response);
      showFormError("Die Städteliste konnte nicht geladen werden. " + err.message);
      return;
    }
    const cities = await response.json().catch(function () { return []; });
    if (!Array.isArray(cities)) return;
    cities.slice().sort(function (a, b) {
      return String(a.name).localeCompare(String(b.name), "de");
    }).forEach(function (c) {
      if (!c || !c.slug) return;
      const option = el("option", null, c.state ? c.name + " (" + c.state + ")" : c.name);
      option.value = String(c.slug);
      els.city.appendChild(option);
    });
  }

  /* ---------- wiring ---------- */

  function onQuestionKeydown(event) {
    if (S.isSubmitKey(event)) {
      event.preventDefault();
      submitQuestion();
    }
  }

  function onDocumentKeydown(event) {
    if (event.key === "Escape" && popover.isOpen()) {
      event.preventDefault();
      popover.close(true);
    }
  }

  function init() {
    els.form = document.getElementById("ask-form");
    els.question = document.getElementById("question");
    els.city = document.getElementById("city");
    els.send = document.getElementById("send");
    els.newChat = document.getElementById("new-chat");
    els.conversation = document.getElementById("conversation");
    els.emptyHint = document.getElementById("empty-hint");
    els.formError = document.getElementById("form-error");
    els.formStatus = document.getElementById("form-status");

    els.form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitQuestion();
    });
    els.question.addEventListener("keydown", onQuestionKeydown);
    els.newChat.addEventListener("click", newConversation);
    document.addEventListener("keydown", onDocumentKeydown);
    loadCities();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
