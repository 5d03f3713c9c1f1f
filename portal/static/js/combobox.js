// The picker: one search-as-you-type combobox for every organisation, school
// and route choice (WAI-ARIA combobox pattern with a listbox popup).
//
// The page renders a plain fallback inside [data-combobox] (a <select>, or
// checkboxes and a search button): it works without JavaScript. This script
// reads the chosen values from that fallback, removes it and puts the
// combobox in its place: chips (each with a hidden input of the field's name
// and a remove button), a text input with role=combobox that asks the server
// (htmx GET, data-search-url) for options, a listbox and a live region. The
// form then posts exactly the ids the fallback would have posted.
(function () {
  "use strict";
  var counter = 0;

  function make(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { el.setAttribute(name, attrs[name]); });
    if (text) { el.textContent = text; }
    return el;
  }

  function initialValues(fallback) {
    var values = [];
    fallback.querySelectorAll("option").forEach(function (option) {
      if (option.selected && option.value) { values.push({id: option.value, label: option.textContent.trim()}); }
    });
    fallback.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      if (!box.checked) { return; }
      var label = box.id ? fallback.querySelector('label[for="' + box.id + '"]') : null;
      values.push({id: box.value, label: box.getAttribute("data-label") || (label ? label.textContent.trim() : box.value)});
    });
    return values;
  }

  function Combobox(root) {
    this.root = root;
    this.field = root.getAttribute("data-field");
    this.multiple = root.getAttribute("data-multiple") !== "false";
    var fallback = root.querySelector(".combobox-fallback");
    var inputId = root.getAttribute("data-input-id") || ("combobox-" + (++counter));
    var labelText = root.getAttribute("data-label") || "";
    var described = root.getAttribute("data-describedby") || "";
    var values = initialValues(fallback);
    var listId = inputId + "-lijst";
    this.statusEl = make("span", {id: inputId + "-status", "class": "visually-hidden", role: "status",
      "aria-live": "polite", "aria-atomic": "true"});
    this.chips = make("ul", {"class": "combobox-chips", "aria-label": "Gekozen: " + labelText});
    this.input = make("input", {type: "text", id: inputId, role: "combobox", "aria-autocomplete": "list",
      "aria-expanded": "false", "aria-controls": listId, autocomplete: "off", spellcheck: "false",
      "class": "combobox-input", "hx-get": root.getAttribute("data-search-url"),
      "hx-trigger": "input changed delay:250ms, combobox-search", "hx-target": "#" + listId,
      "hx-swap": "innerHTML", "hx-sync": "this:replace"});
    if (described) { this.input.setAttribute("aria-describedby", described); }
    if (root.getAttribute("data-invalid") === "true") { this.input.setAttribute("aria-invalid", "true"); }
    this.list = make("ul", {id: listId, role: "listbox", "class": "combobox-list", "aria-label": labelText});
    if (this.multiple) { this.list.setAttribute("aria-multiselectable", "true"); }
    this.list.hidden = true;
    this.empty = make("input", {type: "hidden", name: this.field, value: ""});
    var widget = make("div", {"class": "combobox-widget"});
    widget.appendChild(this.chips);
    widget.appendChild(this.input);
    widget.appendChild(this.list);
    widget.appendChild(this.statusEl);
    fallback.parentNode.replaceChild(widget, fallback);
    if (!this.multiple) { widget.appendChild(this.empty); }
    values.forEach(function (v) { this.add(v.id, v.label, true); }, this);
    this.bind();
    if (window.htmx) { window.htmx.process(widget); }
  }

  Combobox.prototype.chosenIds = function () {
    return Array.prototype.map.call(this.chips.querySelectorAll("input[type=hidden]"), function (i) { return i.value; });
  };

  Combobox.prototype.announce = function (message) {
    this.statusEl.textContent = message;
  };

  Combobox.prototype.add = function (id, label, quiet) {
    id = String(id);
    if (this.chosenIds().indexOf(id) !== -1) { return; }
    if (!this.multiple) { this.chips.textContent = ""; }
    var chip = make("li", {"class": "chip"});
    chip.appendChild(make("span", {"class": "chip-label"}, label));
    var remove = make("button", {type: "button", "class": "chip-remove", "aria-label": "Verwijder " + label}, "×");
    chip.appendChild(remove);
    chip.appendChild(make("input", {type: "hidden", name: this.field, value: id}));
    this.chips.appendChild(chip);
    this.syncEmpty();
    if (!quiet) { this.announce(label + " toegevoegd."); }
  };

  Combobox.prototype.remove = function (chip) {
    var label = chip.querySelector(".chip-label").textContent;
    chip.parentNode.removeChild(chip);
    this.syncEmpty();
    this.announce(label + " verwijderd.");
  };

  Combobox.prototype.syncEmpty = function () {
    // A single choice always posts its field: empty once its chip is removed.
    this.empty.disabled = this.chips.children.length > 0;
  };

  Combobox.prototype.options = function () {
    return Array.prototype.slice.call(this.list.querySelectorAll("[role=option]"));
  };

  Combobox.prototype.open = function (yes) {
    var show = yes && this.options().length > 0;
    this.list.hidden = !show;
    this.input.setAttribute("aria-expanded", show ? "true" : "false");
    if (!show) { this.activate(null); }
  };

  Combobox.prototype.activate = function (option) {
    this.options().forEach(function (o) { o.classList.toggle("active", o === option); });
    if (option) {
      this.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({block: "nearest"});
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Combobox.prototype.active = function () {
    var id = this.input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  };

  Combobox.prototype.move = function (step) {
    var options = this.options();
    if (!options.length) { return; }
    if (this.list.hidden) { this.open(true); }
    var index = options.indexOf(this.active());
    index = index === -1 ? (step > 0 ? 0 : options.length - 1) : (index + step + options.length) % options.length;
    this.activate(options[index]);
  };

  Combobox.prototype.choose = function (option) {
    this.add(option.getAttribute("data-value"), option.getAttribute("data-label"));
    this.input.value = "";
    this.list.textContent = "";
    this.open(false);
    this.input.focus();
  };

  Combobox.prototype.afterResults = function () {
    var chosen = this.chosenIds();
    this.options().forEach(function (o) {
      o.setAttribute("aria-selected", chosen.indexOf(o.getAttribute("data-value")) !== -1 ? "true" : "false");
    });
    this.open(this.input.value.trim() !== "" && document.activeElement === this.input);
  };

  Combobox.prototype.bind = function () {
    var self = this;
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (self.list.hidden && !self.options().length && self.input.value.trim()) {
          window.htmx.trigger(self.input, "combobox-search");
          return;
        }
        self.move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter") {
        var active = self.list.hidden ? null : self.active();
        if (active) { event.preventDefault(); self.choose(active); } else if (self.input.value.trim()) {
          event.preventDefault();  // a search, not a submit of the half-filled form
          window.htmx.trigger(self.input, "combobox-search");
        }
      } else if (event.key === "Escape") {
        if (!self.list.hidden) { event.preventDefault(); self.open(false); } else if (self.input.value) {
          event.preventDefault();
          self.input.value = "";
        }
      } else if (event.key === "Backspace" && self.input.value === "" && self.chips.lastElementChild) {
        event.preventDefault();
        self.remove(self.chips.lastElementChild);
      }
    });
    this.input.addEventListener("htmx:configRequest", function (event) {
      event.detail.parameters.q = self.input.value;
    });
    this.input.addEventListener("blur", function () {
      window.setTimeout(function () { if (document.activeElement !== self.input) { self.open(false); } }, 150);
    });
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { self.choose(option); }
    });
    this.list.addEventListener("htmx:afterSwap", function () { self.afterResults(); });
    this.chips.addEventListener("click", function (event) {
      var button = event.target.closest(".chip-remove");
      if (!button) { return; }
      self.remove(button.closest(".chip"));
      self.input.focus();
    });
  };

  function init(scope) {
    scope.querySelectorAll("[data-combobox]:not([data-combobox-ready])").forEach(function (root) {
      root.setAttribute("data-combobox-ready", "");
      root.combobox = new Combobox(root);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  // An organisation made elsewhere on the page (the "add employer" form)
  // becomes a choice of the picker whose field name the event names.
  document.addEventListener("organisation-added", function (event) {
    var detail = event.detail || {};
    document.querySelectorAll("[data-combobox][data-field]").forEach(function (root) {
      if (root.combobox && root.getAttribute("data-field") === String(detail.field) && detail.id) {
        root.combobox.add(detail.id, String(detail.label || detail.id));
      }
    });
  });
})();
