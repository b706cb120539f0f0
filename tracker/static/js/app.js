/* Nebenan's small enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Vote without a reload: post the form as the browser would, then swap in the
  // server's fresh vote box (counts, hours and the next button come from the server).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-vote-form]") || !window.fetch) { return; }
    event.preventDefault();
    var box = form.closest("[data-vote-box]");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Fragment": "vote" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok && response.status !== 422) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var fresh = holder.querySelector("[data-vote-box]");
      if (!fresh) { throw new Error("no vote box"); }
      box.replaceWith(fresh);
      var focusTarget = fresh.querySelector("[aria-invalid=true]") || fresh.querySelector("button[type=submit]") || fresh;
      focusTarget.focus();
    }).catch(function () {
      form.submit();  // fall back to the ordinary form post
    });
  });

  // Minutes lost only make sense for pain points: hide the field for ideas.
  function syncKind() {
    var checked = document.querySelector("[data-kind-toggle]:checked");
    var field = document.querySelector(".minutes-field");
    if (!checked || !field) { return; }
    field.hidden = checked.value !== "pain_point";
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-kind-toggle]")) { syncKind(); }
  });
  syncKind();

  // Ask before what cannot be undone, and say so to the server; without this file the
  // server asks on a page of its own.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (!question) { return; }
    if (!window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (!form.querySelector("input[name=confirmed]")) {
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirmed";
      confirmed.value = "1";
      form.appendChild(confirmed);
    }
  }, true);

  // On a phone, the list's filters fold away behind a button (CSS shows it on narrow screens
  // only); they stay open while any of them is in use.
  var filters = document.querySelector("[data-collapsible-filters]");
  var actions = filters && filters.querySelector(".filter-actions");
  if (actions) {
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "button filter-toggle";
    var setCollapsed = function (collapsed) {
      filters.classList.toggle("collapsed", collapsed);
      toggle.setAttribute("aria-expanded", String(!collapsed));
      toggle.textContent = filters.getAttribute(collapsed ? "data-more-label" : "data-fewer-label");
    };
    toggle.addEventListener("click", function () { setCollapsed(!filters.classList.contains("collapsed")); });
    actions.appendChild(toggle);
    setCollapsed(!filters.hasAttribute("data-filters-active"));
  }

  // After a refused form, the cursor goes to the first field to correct.
  var invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) { invalid.focus(); }
})();
