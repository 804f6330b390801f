/* Inburgergids read-aloud: progressive enhancement, load with <script defer>.
 *
 * <button type="button" class="btn btn-icon readaloud" hidden
 *         data-target="content" data-label-stop="Stop">
 *   <img class="picto" src=".../speaker.svg" alt=""> <span>Lees voor</span>
 * </button>
 *
 * The button stays hidden unless the browser can speak AND has a voice for the
 * page language (<html lang>, primary subtag). Click reads the element with id
 * data-target (default: <main>), click again stops. Labels come from the HTML.
 * Optional: data-rate="0.9" (speech rate). Elements with data-readaloud-skip,
 * aria-hidden="true" or [hidden] are not read.
 */
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  var Utterance = window.SpeechSynthesisUtterance;
  if (!synth || !Utterance || !document.querySelectorAll) { return; }

  var buttons = Array.prototype.slice.call(document.querySelectorAll("button.readaloud[hidden]"));
  if (!buttons.length) { return; }

  function norm(tag) { return String(tag || "").toLowerCase().replace(/_/g, "-"); }
  var pageLang = norm(document.documentElement.getAttribute("lang"));
  var primary = pageLang.split("-")[0];
  if (!primary) { return; }

  var SKIP = "script,style,noscript,template,select,textarea,button.readaloud,[hidden],[aria-hidden='true'],[data-readaloud-skip]";
  var voice = null;
  var current = null;   /* button that is speaking */
  var run = 0;          /* increments on every start/stop so stale events are ignored */

  function pickVoice() {
    var list;
    try { list = synth.getVoices() || []; } catch (e) { return null; }
    var best = null;
    var bestScore = -1;
    for (var i = 0; i < list.length; i++) {
      var v = list[i];
      var vl = norm(v.lang);
      if (vl.split("-")[0] !== primary) { continue; }
      /* prefer exact region match, then on-device voices (work offline) */
      var score = (vl === pageLang ? 2 : 0) + (v.localService ? 1 : 0);
      if (score > bestScore) { best = v; bestScore = score; }
    }
    return best;
  }

  function labelEl(btn) {
    return btn.querySelector("[data-label]") || btn.querySelector("span") || null;
  }

  function setLabel(btn, speaking) {
    var el = labelEl(btn);
    if (!btn.hasAttribute("data-label-start")) {
      btn.setAttribute("data-label-start", el ? el.textContent : (btn.getAttribute("aria-label") || btn.textContent));
    }
    var text = speaking ? (btn.getAttribute("data-label-stop") || "") : btn.getAttribute("data-label-start");
    if (!text) { return; }
    if (el) {
      el.textContent = text;
    } else if (!btn.firstElementChild) {
      btn.textContent = text;
    } else {
      btn.setAttribute("aria-label", text);
    }
  }

  function isSkipped(el) {
    var m = el.matches || el.msMatchesSelector || el.webkitMatchesSelector;
    if (m && m.call(el, SKIP)) { return true; }
    var cs = window.getComputedStyle ? window.getComputedStyle(el) : null;
    return !!cs && (cs.display === "none" || cs.visibility === "hidden");
  }

  function isBlock(el) {
    if (el.tagName === "BR") { return true; }
    var cs = window.getComputedStyle ? window.getComputedStyle(el) : null;
    var d = cs ? cs.display : "block";
    return d.indexOf("inline") !== 0 && d !== "contents";
  }

  /* Text in reading order, one chunk per block element (paragraph, heading,
     list item...). Short chunks also avoid engines that stop on long texts. */
  function chunks(root) {
    var out = [];
    var buf = "";
    function flush() {
      var t = buf.replace(/\s+/g, " ").trim();
      if (t) { out.push(t); }
      buf = "";
    }
    function walk(node) {
      for (var n = node.firstChild; n; n = n.nextSibling) {
        if (n.nodeType === 3) {
          buf += n.nodeValue;
        } else if (n.nodeType === 1 && !isSkipped(n)) {
          if (n.tagName === "IMG") {
            var alt = n.getAttribute("alt");
            if (alt) { buf += " " + alt + " "; }
            continue;
          }
          var block = isBlock(n);
          if (block) { flush(); }
          walk(n);
          if (block) { flush(); }
        }
      }
    }
    walk(root);
    flush();
    return out;
  }

  function stop() {
    run++;
    try { synth.cancel(); } catch (e) { /* ignore */ }
    if (current) {
      setLabel(current, false);
      current.removeAttribute("data-state");
      current = null;
    }
  }

  function start(btn) {
    stop();
    var id = btn.getAttribute("data-target");
    var target = (id && document.getElementById(id)) || document.querySelector("main") || document.body;
    var parts = chunks(target);
    if (!parts.length || !voice) { return; }
    var rate = parseFloat(btn.getAttribute("data-rate"));
    var myRun = ++run;
    current = btn;
    btn.setAttribute("data-state", "speaking");
    setLabel(btn, true);
    function done() { if (myRun === run) { stop(); } }
    for (var i = 0; i < parts.length; i++) {
      var u = new Utterance(parts[i]);
      u.voice = voice;
      u.lang = String(voice.lang).replace(/_/g, "-");
      u.rate = rate > 0 && rate <= 2 ? rate : 0.9;
      if (i === parts.length - 1) { u.onend = done; }
      u.onerror = done;
      synth.speak(u);
    }
  }

  function enable() {
    if (voice) { return; }
    voice = pickVoice();
    if (!voice) { return; }
    buttons.forEach(function (btn) {
      btn.addEventListener("click", function () {
        if (current === btn) { stop(); } else { start(btn); }
      });
      btn.hidden = false;
    });
  }

  enable();
  if (!voice) {
    if (synth.addEventListener) {
      synth.addEventListener("voiceschanged", enable);
    } else {
      synth.onvoiceschanged = enable;
    }
    /* some engines never fire voiceschanged */
    setTimeout(enable, 500);
    setTimeout(enable, 2000);
  }
  /* Chrome keeps speaking after navigation unless cancelled. */
  window.addEventListener("pagehide", stop);
})();
