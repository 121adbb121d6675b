// agentconsole: the agent editor (form[data-editor]). Everything here is an
// enhancement: without it the form still posts, counters show the loaded length, the
// configs of tools ticked at load show, and a picker's chips can be unticked.
(function () {
  "use strict";
  function editor() { return document.querySelector("form[data-editor]"); }
  function state(form) { return new URLSearchParams(new FormData(form)).toString(); }

  // "Unsaved changes" in the sticky header: the form differs from what it held when it
  // appeared (app.js records that as form.__saved for its leave warning).
  function markUnsaved() {
    var form = editor();
    if (!form) return;
    if (form.__saved === undefined) return; // app.js takes the baseline (remember) as the form appears
    var badge = form.querySelector("[data-testid=unsaved-indicator]");
    if (badge) badge.hidden = state(form) === form.__saved;
  }
  document.addEventListener("input", markUnsaved);
  document.addEventListener("change", markUnsaved);
  document.addEventListener("htmx:afterSettle", markUnsaved);

  // Ctrl+S / Cmd+S saves (the same as clicking Save: validation and the leave
  // warning behave alike). Without a Save button (read-only) the browser keeps the key.
  document.addEventListener("keydown", function (evt) {
    if (!(evt.ctrlKey || evt.metaKey) || evt.altKey || evt.shiftKey || (evt.key || "").toLowerCase() !== "s") return;
    var form = editor();
    var save = form && form.querySelector("[data-testid=save-agent]");
    if (!save || save.disabled) return;
    evt.preventDefault();
    if (form.requestSubmit) form.requestSubmit(save); else save.click();
  });

  // Length counters against the server's limits: over the limit they say by how much
  // (nothing is cut off; the save refuses it naming the field).
  function count(el) {
    var limit = parseInt(el.getAttribute("data-limit"), 10);
    var out = document.getElementById(el.getAttribute("data-counter"));
    if (!out || !limit) return;
    var n = Array.from(el.value).length;
    var text = n + " characters (limit " + limit + ")";
    if (n > limit) text += ": " + (n - limit) + " over the limit";
    out.textContent = text;
    out.classList.toggle("text-slate-600", n <= limit);
    out.classList.toggle("font-medium", n > limit);
    out.classList.toggle("text-red-700", n > limit);
  }
  document.addEventListener("input", function (evt) {
    if (evt.target.matches && evt.target.matches("[data-limit][data-counter]")) count(evt.target);
  });
  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "prompt-count") {
      var prompt = document.getElementById("systemPrompt");
      if (prompt) count(prompt);
    }
  });

  // A config form keeps its raw JSON (behind "Advanced") in step, as long as the raw
  // JSON itself was not edited (then it wins on the server, as it does here). The
  // server reads the inputs the same way (handlers/agents_config.go): an input left
  // as it was drawn keeps the stored value.
  function configValue(kind, input) {
    var text = input.value.replace(/\r\n/g, "\n");
    var t = text.trim();
    switch (kind) {
      case "string": return text === "" ? undefined : text;
      case "enum": return t === "" ? undefined : text;
      case "boolean": return t === "" ? undefined : t === "true";
      case "number": case "integer":
        if (t === "") return undefined;
        return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t) && isFinite(Number(t)) ? Number(t) : t;
      case "strings":
        var items = text.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
        return items.length ? items : undefined;
    }
    return undefined;
  }
  function drawn(input) {
    if (input.tagName === "SELECT") {
      for (var i = 0; i < input.options.length; i++) if (input.options[i].defaultSelected) return input.options[i].value;
      return input.options.length ? input.options[0].value : "";
    }
    return input.defaultValue;
  }
  function syncConfigJSON(tool) {
    var form = editor();
    var raw = document.getElementById("cfgjson-" + tool);
    var shown = form && form.querySelector('input[name="cfgjson0-' + tool + '"]');
    if (!raw || !shown || raw.value.trim() !== shown.value.trim()) return;
    var config = {};
    try { if (shown.value.trim() !== "") config = JSON.parse(shown.value); } catch (e) { return; }
    if (config === null || typeof config !== "object" || Array.isArray(config)) return;
    if (raw.__drawn === undefined) raw.__drawn = JSON.parse(JSON.stringify(config)); // as the page showed it
    form.querySelectorAll('input[name^="cfgk.' + tool + '."]').forEach(function (k) {
      var key = k.name.slice(("cfgk." + tool + ".").length);
      var input = form.elements["cfg." + tool + "." + key];
      if (!input) return;
      var v = input.value === drawn(input) && key in raw.__drawn ? raw.__drawn[key] : configValue(k.value, input);
      if (v === undefined) delete config[key]; else config[key] = v;
    });
    var text = Object.keys(config).length ? JSON.stringify(config) : "";
    raw.value = text;
    shown.value = text;
  }
  ["input", "change"].forEach(function (type) {
    document.addEventListener(type, function (evt) {
      var name = evt.target.name || "";
      if (name.indexOf("cfg.") === 0) syncConfigJSON(name.split(".")[1]);
    });
  });

  // Tool picker: search by name, category or description; a tool's config shows while
  // it is ticked.
  document.addEventListener("input", function (evt) {
    if (!evt.target.matches || !evt.target.matches("[data-tool-search]")) return;
    var terms = evt.target.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    document.querySelectorAll("[data-tool-group]").forEach(function (group) {
      var any = false;
      group.querySelectorAll("[data-tool-row]").forEach(function (row) {
        var text = row.getAttribute("data-search") || "";
        var match = terms.every(function (t) { return text.indexOf(t) >= 0; });
        row.hidden = !match;
        if (match) any = true;
      });
      group.hidden = !any;
      if (any) shown++;
    });
    var empty = document.querySelector("[data-tool-search-empty]");
    if (empty) empty.hidden = shown > 0;
  });
  document.addEventListener("change", function (evt) {
    var box = evt.target;
    if (!box.matches) return;
    if (box.matches("[data-tool-toggle]")) {
      var cfg = document.getElementById(box.getAttribute("data-tool-toggle"));
      if (cfg) cfg.hidden = !box.checked;
      return;
    }
    // A search result ticked becomes a chip: it stays when the next search replaces
    // the results.
    var results = box.closest("[data-results]");
    if (!results || !box.checked) return;
    var chips = box.closest("[data-picker]").querySelector("[data-chips]");
    var label = box.closest("label");
    label.classList.remove("bg-slate-100", "text-slate-800");
    label.classList.add("bg-indigo-50", "text-indigo-900", "ring-1", "ring-indigo-200");
    chips.appendChild(label);
    box.focus();
  });
})();
