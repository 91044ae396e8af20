/*
 * Helpers of the chat page (app.js) and the widget (GET /widget.js serves this file and widget.js
 * in one closure). Server strings go in as text only.
 */
const QAShared = (function () {
  "use strict";

  const MARKER_RE = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
  const SVG_NS = "http://www.w3.org/2000/svg";

  /* ---------- DOM ---------- */

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** ids: prefix + name + "-" + counter */
  function idMaker(prefix) {
    let counter = 0;
    return function (name) {
      counter += 1;
      return prefix + name + "-" + counter;
    };
  }

  /** An aria-hidden icon from one SVG path. */
  function svgIcon(d, size) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    if (size) {
      svg.setAttribute("width", String(size));
      svg.setAttribute("height", String(size));
    }
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  function isSubmitKey(event) {
    return event.key === "Enter" && !event.shiftKey && !event.isComposing;
  }

  /* ---------- links ---------- */

  /** A safe absolute http(s) URL, or null. */
  function safeUrl(value) {
    if (typeof value !== "string" || value === "") return null;
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  /** A new-tab link, or a span when the URL is not http(s). */
  function externalLink(url, text, linkClass, plainClass) {
    const href = safeUrl(url);
    if (!href) return el("span", plainClass, text);
    const a = el("a", linkClass, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  /* ---------- citations ---------- */

  function citationTitle(c) {
    return c.title || c.doc_id || "Quelle";
  }

  function citationDates(c) {
    const dates = [];
    (c.sources || []).forEach(function (s) {
      if (s && s.date && dates.indexOf(String(s.date)) === -1) dates.push(String(s.date));
    });
    return dates;
  }

  /** "City · Section · S. n" */
  function citationPlace(c) {
    const parts = [];
    if (c.city) parts.push(String(c.city));
    if (c.section) parts.push(String(c.section));
    if (c.page !== null && c.page !== undefined) parts.push("S. " + c.page);
    return parts.join(" · ");
  }

  function primaryUrl(c) {
    if (safeUrl(c.url)) return c.url;
    const withUrl = (c.sources || []).find(function (s) { return s && safeUrl(s.url); });
    return withUrl ? withUrl.url : null;
  }

  function sortedByNumber(citations) {
    return citations.slice().sort(function (a, b) { return a.n - b.n; });
  }

  function validCitations(list) {
    return (Array.isArray(list) ? list : []).filter(function (c) {
      return c && typeof c.n === "number";
    });
  }

  /* ---------- [n] markers ---------- */

  /** A button for [n] calling onActivate(citation, button); text when n is unknown. */
  function markerButton(citations, n, onActivate) {
    const citation = citations.find(function (c) { return c.n === n; });
    if (!citation) return document.createTextNode("[" + n + "]");
    const button = el("button", "cite", "[" + n + "]");
    button.type = "button";
    button.setAttribute("aria-label", "Quelle " + n);
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () { onActivate(citation, button); });
    return button;
  }

  /** Appends text to a node, turning [n] / [n, m] markers into buttons. */
  function appendTextWithMarkers(parent, text, citations, onActivate) {
    let last = 0;
    MARKER_RE.lastIndex = 0;
    let match;
    while ((match = MARKER_RE.exec(text)) !== null) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      const group = el("span", "cite-group");
      match[1].split(",").forEach(function (s) {
        group.appendChild(markerButton(citations, parseInt(s.trim(), 10), onActivate));
      });
      parent.appendChild(group);
      last = match.index + match[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /** Adds streamed text to turn.pending and takes out what can be shown: a trailing unclosed "[..." waits. */
  function takeReady(turn, text) {
    const pending = turn.pending + text;
    const open = pending.lastIndexOf("[");
    const cut = open !== -1 && pending.indexOf("]", open) === -1 && pending.length - open < 40 ? open : pending.length;
    turn.pending = pending.slice(cut);
    return pending.slice(0, cut);
  }

  /** One open source panel at a time, toggled by its marker; build(citation) returns it (with an id). */
  function disclosure(focusMarkerOnClose) {
    let open = null;
    function close(returnFocus) {
      if (!open) return;
      const current = open;
      open = null;
      current.marker.setAttribute("aria-expanded", "false");
      current.panel.remove();
      if (returnFocus) current.marker.focus();
    }
    function toggle(slot, citation, marker, build) {
      const wasOpen = open && open.marker === marker;
      close(false);
      if (wasOpen) {
        if (focusMarkerOnClose) marker.focus();
        return;
      }
      const panel = build(citation, marker);
      marker.setAttribute("aria-controls", panel.id);
      slot.appendChild(panel);
      marker.setAttribute("aria-expanded", "true");
      open = { panel: panel, marker: marker };
      panel.focus();
    }
    return { toggle: toggle, close: close, isOpen: function () { return open !== null; } };
  }

  /* ---------- HTTP / Server-Sent Events ---------- */

  /** POSTs a chat message for an event stream; extra: more fetch options. */
  function postChat(url, payload, extra) {
    const init = {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify(payload),
    };
    Object.keys(extra || {}).forEach(function (key) { init[key] = extra[key]; });
    return fetch(url, init);
  }

  function isEventStream(response) {
    const type = response.headers.get("Content-Type") || "";
    return type.indexOf("text/event-stream") !== -1 && Boolean(response.body);
  }

  /** The German message of a JSON error body, or fallback. */
  async function errorMessage(response, fallback) {
    try {
      const body = await response.json();
      if (body && body.error && body.error.message_de) return String(body.error.message_de);
    } catch (e) { /* keep the fallback */ }
    return fallback;
  }

  /** Calls onEvent(name, data) for one SSE block whose data is JSON. */
  function dispatchSseBlock(block, onEvent) {
    let name = "message";
    const data = [];
    block.split("\n").forEach(function (line) {
      if (line === "" || line.charAt(0) === ":") return;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.charAt(0) === " ") value = value.slice(1);
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
    });
    if (!data.length) return;
    let payload;
    try {
      payload = JSON.parse(data.join("\n"));
    } catch (e) {
      return;
    }
    onEvent(name, payload);
  }

  /** Splits an SSE buffer into complete events; returns the unparsed rest. */
  function parseSseBuffer(buffer, onEvent) {
    const blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n");
    const rest = blocks.pop();
    blocks.forEach(function (block) { dispatchSseBlock(block, onEvent); });
    return rest;
  }

  async function readSse(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder("utf-8");
    let buffer = "";
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer = parseSseBuffer(buffer + decoder.decode(chunk.value, { stream: true }), onEvent);
    }
    buffer += decoder.decode();
    if (buffer.trim()) dispatchSseBlock(buffer.replace(/\r\n?/g, "\n"), onEvent);
  }

  return {
    el: el, idMaker: idMaker, svgIcon: svgIcon, isSubmitKey: isSubmitKey,
    safeUrl: safeUrl, externalLink: externalLink,
    citationTitle: citationTitle, citationDates: citationDates, citationPlace: citationPlace,
    primaryUrl: primaryUrl, sortedByNumber: sortedByNumber, validCitations: validCitations,
    appendTextWithMarkers: appendTextWithMarkers, takeReady: takeReady,
    disclosure: disclosure,
    postChat: postChat, isEventStream: isEventStream, errorMessage: errorMessage, readSse: readSse,
  };
})();
