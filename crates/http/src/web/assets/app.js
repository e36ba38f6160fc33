// Loupe web shell: the few things HTML cannot do alone. The bag (cart) lives
// in localStorage; the product page's variant picker updates price and stock;
// the bag page renders its lines. Every page works without this script except
// the bag itself.
(function () {
  "use strict";
  var KEY = "loupe.cart";

  function load() {
    try {
      var lines = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(lines) ? lines : [];
    } catch (e) {
      return [];
    }
  }
  function save(lines) {
    localStorage.setItem(KEY, JSON.stringify(lines));
    showCount();
  }
  function count(lines) {
    return lines.reduce(function (n, l) { return n + (l.qty || 0); }, 0);
  }
  function showCount() {
    var n = count(load());
    document.querySelectorAll("[data-cart-count]").forEach(function (el) {
      el.textContent = String(n);
      el.hidden = n === 0;
    });
  }
  function money(minor, currency) {
    try {
      // Whole amounts without cents, as the server writes them ($1,650).
      var whole = minor % 100 === 0;
      return new Intl.NumberFormat(document.documentElement.lang || "en", {
        style: "currency", currency: currency, minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: whole ? 0 : 2
      }).format(minor / 100);
    } catch (e) {
      return (minor / 100).toFixed(2) + " " + currency;
    }
  }

  // Storefront events (view, search, click, add_to_cart) go to
  // POST /v1/events when the page says so (data-events="on": the server runs
  // without keys, as the local demo does). Failures are ignored: tracking
  // must never get in a shopper's way.
  function randomId() {
    var a = new Uint8Array(12);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function sessionId() {
    try {
      var id = sessionStorage.getItem("loupe.session");
      if (!id) { id = "s-" + randomId(); sessionStorage.setItem("loupe.session", id); }
      return id;
    } catch (e) {
      return null;
    }
  }
  function track(event) {
    if (!document.body || document.body.dataset.events !== "on") return;
    event.id = "web-" + randomId();
    event.at = Date.now();
    event.session_id = sessionId();
    try {
      fetch("/v1/events", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([event]),
        keepalive: true
      }).catch(function () {});
    } catch (e) { /* no fetch: no tracking */ }
  }
  function handleOf(href) {
    var m = /\/p\/([^?#]+)/.exec(href || "");
    return m ? decodeURIComponent(m[1]) : null;
  }
  function searchPage() {
    var hits = document.querySelectorAll(".hit");
    var input = document.getElementById("q");
    if (!/^\/search/.test(location.pathname) || !input || !input.value.trim()) return;
    var query = input.value.trim();
    var results = Array.prototype.map.call(hits, function (h) {
      var a = h.querySelector("h3 a");
      return a ? handleOf(a.getAttribute("href")) : null;
    }).filter(Boolean);
    track({ kind: "search", query: query, results: results });
    Array.prototype.forEach.call(hits, function (h, i) {
      h.addEventListener("click", function (ev) {
        var a = ev.target.closest && ev.target.closest("a");
        var handle = a && handleOf(a.getAttribute("href"));
        if (handle) track({ kind: "click", query: query, product: handle, position: i });
      });
    });
  }

  // Product page: pick a variant from the option radios.
  function productPage() {
    var form = document.querySelector("form[data-product]");
    if (!form) return;
    var data = document.getElementById("variants");
    var variants = data ? JSON.parse(data.textContent) : [];
    var priceEl = form.querySelector("[data-price]");
    var stockEl = form.querySelector("[data-stock]");
    var skuEl = document.querySelector("[data-sku]");
    var button = form.querySelector("button[type=submit]");
    var added = form.querySelector("[data-added]");

    function chosen() {
      var picked = {};
      form.querySelectorAll("input[type=radio]:checked").forEach(function (r) { picked[r.name] = r.value; });
      return variants.find(function (v) {
        return Object.keys(picked).every(function (k) { return v.options[k] === picked[k]; });
      });
    }
    function update() {
      var v = chosen();
      if (!v) {
        if (stockEl) { stockEl.textContent = "This combination is not made."; stockEl.className = "stock out"; }
        if (button) button.disabled = true;
        return;
      }
      if (priceEl && v.price_minor != null) priceEl.textContent = money(v.price_minor, v.currency);
      if (skuEl) skuEl.textContent = v.sku;
      if (stockEl) {
        if (v.inventory == null) { stockEl.textContent = "Made to order"; stockEl.className = "stock ok"; }
        else if (v.inventory <= 0) { stockEl.textContent = "Sold out"; stockEl.className = "stock out"; }
        else if (v.inventory <= 3) { stockEl.textContent = "Only " + v.inventory + " left"; stockEl.className = "stock low"; }
        else { stockEl.textContent = "In stock"; stockEl.className = "stock ok"; }
      }
      if (button) button.disabled = v.inventory != null && v.inventory <= 0;
    }
    form.addEventListener("change", update);
    var first = chosen();
    track({ kind: "view", product: form.dataset.product, sku: first ? first.sku : null });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var v = chosen();
      if (!v) return;
      var lines = load();
      var line = lines.find(function (l) { return l.sku === v.sku; });
      if (line) line.qty += 1;
      else lines.push({ sku: v.sku, handle: form.dataset.product, title: form.dataset.title, options: v.label, price_minor: v.price_minor, currency: v.currency, qty: 1 });
      save(lines);
      track({
        kind: "add_to_cart", product: form.dataset.product, sku: v.sku, quantity: 1,
        price: v.price_minor != null ? { minor: v.price_minor, currency: v.currency } : null
      });
      if (added) { added.textContent = "Added to your bag"; added.hidden = false; }
    });
    update();
  }

  // Bag page.
  function cartPage() {
    var root = document.querySelector("[data-cart]");
    if (!root) return;
    var list = root.querySelector("[data-cart-lines]");
    var total = root.querySelector("[data-cart-total]");
    var empty = root.querySelector("[data-cart-empty]");
    var filled = root.querySelector("[data-cart-filled]");
    function render() {
      var lines = load();
      list.textContent = "";
      empty.hidden = lines.length > 0;
      filled.hidden = lines.length === 0;
      var sum = 0, currency = "USD";
      lines.forEach(function (l, i) {
        var li = document.createElement("li");
        var left = document.createElement("div");
        var a = document.createElement("a");
        a.href = "/p/" + encodeURIComponent(l.handle);
        a.textContent = l.title;
        left.appendChild(a);
        var meta = document.createElement("div");
        meta.className = "muted small";
        meta.textContent = (l.options ? l.options + " · " : "") + "SKU " + l.sku + " · Qty " + l.qty;
        left.appendChild(meta);
        var right = document.createElement("div");
        if (l.price_minor != null) {
          right.textContent = money(l.price_minor * l.qty, l.currency) + " ";
          sum += l.price_minor * l.qty;
          currency = l.currency;
        }
        var rm = document.createElement("button");
        rm.type = "button";
        rm.className = "link-button";
        rm.textContent = "Remove";
        rm.setAttribute("aria-label", "Remove " + l.title + " from the bag");
        rm.addEventListener("click", function () {
          var next = load();
          next.splice(i, 1);
          save(next);
          render();
        });
        right.appendChild(rm);
        li.appendChild(left);
        li.appendChild(right);
        list.appendChild(li);
      });
      total.textContent = money(sum, currency);
      pairs(lines);
    }
    render();
  }

  // "Pairs well with" on the bag page, from GET /v1/recommendations?cart=.
  // The section stays hidden when the bag is empty or the request fails
  // (a server with API keys answers 401 to a keyless browser).
  var pairsFor = null;
  function pairs(lines) {
    var section = document.querySelector("[data-cart-recs]");
    if (!section || !window.fetch) return;
    var skus = lines.map(function (l) { return l.sku; }).filter(Boolean);
    var key = skus.join(",");
    if (key === pairsFor) return;
    pairsFor = key;
    if (!skus.length) { section.hidden = true; return; }
    var inBag = {};
    lines.forEach(function (l) { inBag[l.handle] = true; });
    fetch("/v1/recommendations?cart=" + encodeURIComponent(key) + "&limit=8", { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (pairsFor !== key) return;
        var list = section.querySelector("[data-cart-recs-list]");
        list.textContent = "";
        var items = (data && data.items || []).filter(function (i) { return !inBag[i.handle]; }).slice(0, 4);
        items.forEach(function (item) {
          var top = (item.why || []).reduce(function (best, r) {
            return !best || r.contribution > best.contribution ? r : best;
          }, null);
          var li = document.createElement("li");
          li.className = "card pair";
          var a = document.createElement("a");
          a.href = "/p/" + encodeURIComponent(item.handle);
          var title = document.createElement("div");
          title.className = "title";
          title.textContent = item.title;
          a.appendChild(title);
          li.appendChild(a);
          if (top) {
            var why = document.createElement("p");
            why.className = "reason";
            why.dataset.signal = top.signal;
            why.textContent = top.detail.charAt(0).toUpperCase() + top.detail.slice(1);
            li.appendChild(why);
          }
          var view = document.createElement("a");
          view.className = "view";
          view.href = a.href;
          view.textContent = "View the piece";
          view.setAttribute("aria-label", "View " + item.title);
          li.appendChild(view);
          list.appendChild(li);
        });
        section.hidden = items.length === 0;
      })
      .catch(function () { section.hidden = true; });
  }

  // The tasks page reloads itself while a task runs, to show its progress.
  function autoRefresh() {
    var el = document.querySelector("[data-refresh]");
    if (!el) return;
    var seconds = parseFloat(el.getAttribute("data-refresh")) || 2;
    setTimeout(function () { location.reload(); }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    autoRefresh();
    showCount();
    searchPage();
    productPage();
    cartPage();
  });
})();
