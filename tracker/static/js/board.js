/* The board: drag a card to another column to move the item. Without this file every
   card still has its "Move…" form; the server decides in both cases. */
(function () {
  "use strict";
  var board = document.querySelector("[data-board][data-movable]");
  if (!board || !window.Sortable || !window.fetch) { return; }

  var dialog = document.querySelector("[data-move-dialog]");
  var dialogForm = dialog.querySelector("[data-move-dialog-form]");
  var dialogError = dialog.querySelector("[data-dialog-error]");
  var texts = document.querySelector("[data-texts]").dataset;
  var messageBox = document.querySelector("[data-board-message]");
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var pending = null;  // the drag waiting for the dialog

  function say(text, isError) {
    messageBox.textContent = text;
    messageBox.classList.toggle("error", !!isError);
  }

  function snapBack(evt) {
    var before = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, before);
  }

  function updateCounts() {
    board.querySelectorAll("[data-column]").forEach(function (column) {
      var count = column.querySelector(".column-count");
      var delta = Number(column.dataset.delta || 0);
      if (delta && count) {
        var now = Number(count.dataset.total || count.textContent.replace(/\D/g, "")) + delta;
        count.dataset.total = now;
        count.textContent = now.toLocaleString(document.documentElement.lang);
      }
      column.dataset.delta = 0;
    });
  }

  function send(evt, fields) {
    var data = new FormData();
    data.append("csrf_token", csrf);
    data.append("to_status", evt.to.dataset.status);
    data.append("next", window.location.pathname + window.location.search);
    Object.keys(fields || {}).forEach(function (key) { data.append(key, fields[key]); });
    return fetch(evt.item.dataset.moveUrl, {
      method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, message: texts.failed }; });
    }).then(function (result) {
      if (!result.ok) {
        snapBack(evt);
        say(result.message || texts.failed, true);
        return result;
      }
      var holder = document.createElement("ol");
      holder.innerHTML = result.card.trim();
      var fresh = holder.firstElementChild;
      evt.item.replaceWith(fresh);
      evt.from.closest("[data-column]").dataset.delta = -1;
      evt.to.closest("[data-column]").dataset.delta = 1;
      updateCounts();
      say(result.message, false);
      return result;
    }).catch(function () {
      snapBack(evt);
      say(texts.failed, true);
    });
  }

  function needs(column, what) { return column.dataset["needs" + what] === "true"; }

  function openDialog(evt) {
    var column = evt.to.closest("[data-column]");
    pending = evt;
    dialogForm.reset();
    dialogError.hidden = true;
    dialog.querySelector("[data-dialog-status]").textContent = column.querySelector(".column-title").firstChild.textContent.trim();
    dialog.querySelector("[data-dialog-note]").hidden = false;
    dialog.querySelector("#dialog-note").required = needs(column, "Note");
    dialog.querySelector("[data-dialog-note-label]").textContent =
      column.dataset.column === "declined" ? texts.labelDeclined :
      column.dataset.column === "implemented" ? texts.labelImplemented : texts.labelOther;
    dialog.querySelector("[data-dialog-saving]").hidden = !needs(column, "Saving");
    dialog.querySelector("[data-dialog-target]").hidden = !needs(column, "Target");
    dialog.showModal();
    dialog.querySelector("#dialog-note").focus();
  }

  function refuse(message, field) {
    dialogError.textContent = message;
    dialogError.hidden = false;
    if (field) { field.focus(); }
  }

  dialogForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var evt = pending;
    if (!evt) { dialog.close(); return; }
    if (!event.submitter || event.submitter.value !== "save") {
      pending = null;
      dialog.close();
      snapBack(evt);
      return;
    }
    var column = evt.to.closest("[data-column]");
    var note = dialog.querySelector("#dialog-note");
    var saving = dialog.querySelector("#dialog-saving");
    var target = dialog.querySelector("#dialog-duplicate");
    if (needs(column, "Note") && !note.value.trim()) {
      return refuse(column.dataset.column === "declined" ? texts.requiredNote : texts.requiredChange, note);
    }
    if (needs(column, "Saving") && (saving.value === "" || !saving.checkValidity())) {
      return refuse(texts.requiredSaving, saving);
    }
    if (needs(column, "Target") && target.value === "") { return refuse(texts.requiredTarget, target); }
    var fields = { note: note.value };
    if (needs(column, "Saving")) { fields.saving_hours = saving.value; }
    if (needs(column, "Target")) { fields.duplicate_of = target.value; }
    pending = null;
    dialog.close();
    send(evt, fields);
  });

  dialog.addEventListener("cancel", function () {  // Escape key
    if (pending) { snapBack(pending); pending = null; }
  });

  board.querySelectorAll("[data-cards]").forEach(function (list) {
    window.Sortable.create(list, {
      group: "board",
      sort: false,
      draggable: "[data-may-move]",  // not the cards of other teams, nor one's own anonymous ones
      animation: 150,
      forceFallback: true,
      fallbackTolerance: 4,
      filter: "a, input, textarea, select, button, label",
      preventOnFilter: false,
      onEnd: function (evt) {
        if (evt.from === evt.to) { return; }
        var allowed = (evt.item.dataset.targets || "").split(" ");
        var column = evt.to.closest("[data-column]");
        var asks = needs(column, "Note") || needs(column, "Saving") || needs(column, "Target");
        if (allowed.indexOf(evt.to.dataset.status) !== -1 && asks) {
          openDialog(evt);
        } else {
          send(evt, {});  // the server refuses a move the workflow does not allow, with its reason
        }
      }
    });
  });
})();
