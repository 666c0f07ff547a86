/*
 * Evidence upload on the secretary's forms (progress, 申请销号).
 *
 * - The camera button takes one photo per tap; each photo's input is kept (hidden) in the form and a
 *   fresh one takes its place, so several photos go up together with the files chosen beside them.
 * - Lists what will be uploaded, with sizes, and lets a wrong photo or file be taken out again.
 * - Warns before sending a file the server would refuse (too large, a type not allowed), so a phone
 *   does not upload 30 MB for nothing. The server checks every file again from its content.
 * - Disables the submit button while a slow upload runs, so it is not sent twice.
 */
(function () {
  "use strict";

  function formatSize(bytes) {
    if (bytes >= 1024 * 1024) return (bytes / (1024 * 1024)).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " 字节";
  }

  function extensionOf(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot).toLowerCase();
  }

  var canEditFileList = (function () {
    try {
      return typeof DataTransfer !== "undefined" && new DataTransfer().files !== undefined;
    } catch (e) {
      return false;
    }
  })();

  function setupPicker(picker) {
    var maxBytes = parseInt(picker.getAttribute("data-max-bytes"), 10) || 0;
    var allowed = (picker.getAttribute("data-allowed") || "").split(",");
    var list = picker.querySelector("[data-evidence-list]");
    var filesInput = picker.querySelector("[data-evidence-input]");
    var holder = document.createElement("div");
    holder.hidden = true;
    picker.appendChild(holder);

    function problemOf(file, fromCamera) {
      if (file.size === 0) return "空文件";
      if (maxBytes && file.size > maxBytes) return "超过 " + formatSize(maxBytes) + " 的限制";
      if (!fromCamera && allowed.indexOf(extensionOf(file.name)) < 0) return "不支持的文件类型";
      return "";
    }

    function item(label, file, problem, onRemove) {
      var li = document.createElement("li");
      li.className = "d-flex align-items-center gap-2 py-1 border-bottom" + (problem ? " text-danger" : "");
      var icon = document.createElement("i");
      icon.className = "bi " + (problem ? "bi-exclamation-triangle" : "bi-file-earmark-check");
      var text = document.createElement("span");
      text.className = "flex-grow-1 text-break";
      text.textContent = label + "（" + formatSize(file.size) + "）" + (problem ? "：" + problem : "");
      li.appendChild(icon);
      li.appendChild(text);
      if (onRemove) {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-sm btn-outline-danger evidence-remove";
        remove.textContent = "移除";
        remove.setAttribute("aria-label", "移除 " + file.name);
        remove.addEventListener("click", onRemove);
        li.appendChild(remove);
      }
      return li;
    }

    function render() {
      list.textContent = "";
      var photos = holder.querySelectorAll("input[type=file]");
      Array.prototype.forEach.call(photos, function (input, index) {
        var file = input.files[0];
        list.appendChild(
          item("照片 " + (index + 1), file, problemOf(file, true), function () {
            input.remove();
            render();
          })
        );
      });
      if (filesInput) {
        Array.prototype.forEach.call(filesInput.files, function (file, index) {
          var onRemove = canEditFileList
            ? function () {
                var kept = new DataTransfer();
                Array.prototype.forEach.call(filesInput.files, function (f, i) {
                  if (i !== index) kept.items.add(f);
                });
                filesInput.files = kept.files;
                render();
              }
            : null;
          list.appendChild(item(file.name, file, problemOf(file, false), onRemove));
        });
      }
    }

    function keepPhoto(event) {
      var input = event.target;
      if (!input.files || !input.files.length) return;
      var fresh = input.cloneNode(false);
      fresh.value = "";
      fresh.addEventListener("change", keepPhoto);
      input.parentNode.insertBefore(fresh, input);
      holder.appendChild(input);
      render();
    }

    Array.prototype.forEach.call(picker.querySelectorAll("[data-camera]"), function (input) {
      input.addEventListener("change", keepPhoto);
    });
    if (filesInput) filesInput.addEventListener("change", render);

    picker.hasProblems = function () {
      return list.querySelector(".text-danger") !== null;
    };
  }

  function setupForm(form) {
    var pickers = form.querySelectorAll("[data-evidence-picker]");
    form.addEventListener("submit", function (event) {
      for (var i = 0; i < pickers.length; i++) {
        if (pickers[i].hasProblems && pickers[i].hasProblems()) {
          event.preventDefault();
          var list = pickers[i].querySelector("[data-evidence-list]");
          list.scrollIntoView({ block: "center" });
          window.alert("有文件不能上传（见红色标出的文件），请移除或更换后再提交。");
          return;
        }
      }
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit][data-busy-text]"), function (button) {
        button.setAttribute("data-idle-html", button.innerHTML);
        button.disabled = true;
        button.textContent = button.getAttribute("data-busy-text");
      });
    });
  }

  // Coming back with the browser's Back button restores the page as it was left: re-enable the buttons.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-idle-html]"), function (button) {
      button.disabled = false;
      button.innerHTML = button.getAttribute("data-idle-html");
      button.removeAttribute("data-idle-html");
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-evidence-picker]"), setupPicker);
  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload-form]"), setupForm);
})();
