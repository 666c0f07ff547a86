// 录入问题: show the default deadline of the chosen category, add measure blocks, and offer the measure
// library's words for the chosen category as one-click suggestions. The people lists are searched by
// person_picker.js among the chosen organisation's people; the server checks them again and explains any
// mistake beside the field.
(function () {
  "use strict";

  var form = document.getElementById("finding-form");
  if (!form) {
    return;
  }
  var categorySelect = form.querySelector("select[name='category']");
  var foundOn = form.querySelector("input[name='found_on']");
  var total = form.querySelector("input[name='measures-TOTAL_FORMS']");
  var maxForms = parseInt(form.querySelector("input[name='measures-MAX_NUM_FORMS']").value, 10) || 20;
  var list = document.getElementById("measure-list");
  var template = document.getElementById("measure-template");
  var addButton = document.getElementById("add-measure");
  var categoryDays = JSON.parse(document.getElementById("category-days").textContent);
  var libraryData = document.getElementById("measure-library");
  var library = libraryData ? JSON.parse(libraryData.textContent) : {};
  var suggestionBox = document.getElementById("measure-suggestions");

  function iso(date) {
    var m = String(date.getMonth() + 1).padStart(2, "0");
    var d = String(date.getDate()).padStart(2, "0");
    return date.getFullYear() + "-" + m + "-" + d;
  }

  function updateHints() {
    var days = categoryDays[categorySelect.value];
    var text = "";
    if (days && foundOn.value) {
      var due = new Date(foundOn.value + "T00:00:00");
      due.setDate(due.getDate() + days);
      text = "留空则为 " + iso(due) + "（按问题类别默认 " + days + " 天）";
    } else if (days) {
      text = "留空则按问题类别默认 " + days + " 天计算";
    }
    list.querySelectorAll(".due-default-hint").forEach(function (el) {
      el.textContent = text;
    });
  }

  function addMeasure() {
    var index = parseInt(total.value, 10);
    if (index >= maxForms) {
      return;
    }
    var holder = document.createElement("div");
    // The template is this page's own server-rendered empty form.
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
    var block = holder.firstElementChild;
    list.appendChild(block);
    total.value = String(index + 1);
    updateHints();
    addButton.hidden = index + 1 >= maxForms;
    var first = block.querySelector("textarea");
    if (first) {
      first.focus();
    }
  }

  function emptyMeasureBlock() {
    var blocks = list.querySelectorAll(".measure-block");
    for (var i = 0; i < blocks.length; i += 1) {
      var text = blocks[i].querySelector("textarea[name$='-measure']");
      if (text && !text.value.trim()) {
        return blocks[i];
      }
    }
    if (parseInt(total.value, 10) >= maxForms) {
      return null;
    }
    addMeasure();
    return list.lastElementChild;
  }

  function useSuggestion(item, button) {
    var block = emptyMeasureBlock();
    if (!block) {
      return;
    }
    block.querySelector("textarea[name$='-measure']").value = item.text;
    var kind = block.querySelector("select[name$='-kind']");
    if (kind && item.kind) {
      kind.value = item.kind;
    }
    button.disabled = true;
  }

  function showSuggestions() {
    if (!suggestionBox) {
      return;
    }
    var holder = suggestionBox.querySelector(".suggestion-list");
    holder.textContent = "";
    var items = library[categorySelect.value] || [];
    items.forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary btn-sm text-start measure-suggestion";
      button.textContent = item.text;
      if (item.uses) {
        button.title = "本单位已有 " + item.uses + " 项措施用过这一表述";
      }
      button.addEventListener("click", function () {
        useSuggestion(item, button);
      });
      holder.appendChild(button);
    });
    suggestionBox.hidden = items.length === 0;
  }

  categorySelect.addEventListener("change", showSuggestions);
  categorySelect.addEventListener("change", updateHints);
  foundOn.addEventListener("change", updateHints);
  addButton.addEventListener("click", addMeasure);
  addButton.hidden = parseInt(total.value, 10) >= maxForms;
  updateHints();
  showSuggestions();
})();
