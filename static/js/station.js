/* Station helpers: keep the scan box focused after every action, say "not saved, tap again"
   when the connection drops, and let the tablet camera fill the scan box. */
(function () {
  function focusScan() {
    var box = document.getElementById("scan");
    if (box && !document.querySelector("[data-testid=scanned] input:focus")) box.focus();
  }
  document.addEventListener("htmx:afterSwap", focusScan);
  document.addEventListener("htmx:sendError", function () {
    var target = document.getElementById("station-content");
    if (!target) return;
    var note = document.createElement("div");
    note.className = "alert alert-danger erp-result";
    note.setAttribute("role", "alert");
    note.textContent = document.documentElement.lang === "en"
      ? "Not saved: the connection dropped. Tap again (it is safe)."
      : "Belum tersimpan: koneksi terputus. Tekan lagi (aman).";
    target.prepend(note);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-camera-for]");
    if (!button || !window.Html5Qrcode) return;
    var box = document.getElementById("camera-box");
    box.hidden = false;
    box.id = "camera-box";
    var reader = new Html5Qrcode("camera-box");
    reader.start({ facingMode: "environment" }, { fps: 10, qrbox: 250 }, function (text) {
      reader.stop().then(function () {
        box.hidden = true;
        var input = document.getElementById(button.dataset.cameraFor);
        input.value = text;
        if (input.form.requestSubmit) input.form.requestSubmit(); else input.form.submit();
      });
    }).catch(function () { box.hidden = true; });
  });
})();
