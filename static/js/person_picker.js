// 选人: a search box above each person list marked data-person-search. Typing a name, its pinyin or its
// initials ("zw" finds 张伟) asks the server for matching people among those who may be chosen (the
// organisation's, within the user's scope) and puts them in the list. The list itself is what the form
// submits, and the server checks the choice again.
(function () {
  "use strict";

  var WAIT_MS = 250;

  function organizationOf(select) {
    if (select.dataset.organizationFrom && select.form) {
      var source = select.form.elements.namedItem(select.dataset.organizationFrom);
      if (source && source.value) {
        return source.value;
      }
    }
    return select.dataset.organization || "";
  }

  function fill(select, results) {
    var keep = select.value;
    var empty = select.options.length && select.options[0].value === "" ? select.options[0].text : null;
    while (select.options.length) {
      select.remove(0);
    }
    if (empty !== null) {
      select.add(new Option(empty, ""));
    }
    results.forEach(function (person) {
      var label = person.detail ? person.name + " · " + person.detail : person.name;
      select.add(new Option(label, String(person.id)));
    });
    var stillThere = results.some(function (p) { return String(p.id) === keep; });
    if (stillThere) {
      select.value = keep;
    } else if (results.length) {
      select.value = String(results[0].id);
    } else {
      select.value = "";
    }
  }

  function attach(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1 person-search";
    box.placeholder = "输入姓名、拼音或首字母（如 zw）查找";
    box.setAttribute("aria-label", "查找人员");
    box.autocomplete = "off";
    var status = document.createElement("div");
    status.className = "form-text person-search-status";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(status, select.nextSibling);
    var timer = null;
    var asked = 0;

    function search() {
      var q = box.value.trim();
      if (!q) {
        status.textContent = "";
        return;
      }
      var params = new URLSearchParams({ q: q, role: select.dataset.role || "assignee" });
      var organization = organizationOf(select);
      if (organization) {
        params.set("organization", organization);
      }
      var ticket = ++asked;
      fetch(select.dataset.personSearch + "?" + params.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (ticket !== asked) {
            return; // an older answer arriving after a newer one
          }
          fill(select, data.results);
          status.textContent = data.results.length ? "找到 " + data.results.length + " 人" : "未找到匹配的人员";
        })
        .catch(function () {
          status.textContent = "查找失败，请稍后重试";
        });
    }

    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, WAIT_MS);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter picks the first match rather than submitting the form
        window.clearTimeout(timer);
        search();
      }
    });
    if (select.dataset.organizationFrom && select.form) {
      var source = select.form.elements.namedItem(select.dataset.organizationFrom);
      if (source) {
        source.addEventListener("change", function () {
          fill(select, []);
          box.value = "";
          status.textContent = "";
        });
      }
    }
  }

  function attachAll(scope) {
    scope.querySelectorAll("select[data-person-search]:not([data-picker-ready])").forEach(function (select) {
      select.setAttribute("data-picker-ready", "1");
      attach(select);
    });
  }

  attachAll(document);
  // Measure blocks added by the finding form's script get their pickers too.
  new MutationObserver(function () {
    attachAll(document);
  }).observe(document.body, { childList: true, subtree: true });
})();
