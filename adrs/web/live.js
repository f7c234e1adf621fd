// Live update for session pages: poll the session's stamp and, when it changes, fetch the page
// again and swap its #live part. No framework, no network beyond this server.
(function () {
  var live = document.getElementById("live");
  if (!live || !live.dataset.stampUrl) return;
  var stamp = live.dataset.stamp;
  var every = 2000;
  function swap() {
    fetch(window.location.href, {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("live");
        if (fresh) { live.innerHTML = fresh.innerHTML; }
      });
  }
  function poll() {
    fetch(live.dataset.stampUrl, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.stamp !== stamp) { stamp = data.stamp; swap(); }
        var badge = document.getElementById("live-badge");
        if (badge) { badge.textContent = data.live ? "live" : data.status; }
        if (data.live) { setTimeout(poll, every); }
      })
      .catch(function () { setTimeout(poll, every * 3); });
  }
  setTimeout(poll, every);
})();
