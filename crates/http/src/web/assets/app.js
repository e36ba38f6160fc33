// Loupe web shell: the few things HTML cannot do alone. The bag (cart) lives
// in localStorage; the product page's variant picker updates price, stock and
// the drawing's metal; the bag page asks the server for its lines; facets
// become a drawer on a phone. Every page works without this script except
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
  // The visitor cookie (loupe_vid) outlives sessions: experiments assign by it,
  // so every event carries it and counts toward the visitor's variation.
  function visitorId() {
    var m = /(?:^|;\s*)loupe_vid=([A-Za-z0-9_-]{8,64})/.exec(document.cookie || "");
    if (m) return m[1];
    var id = "v-" + randomId();
    document.cookie = "loupe_vid=" + id + "; Path=/; Max-Age=31536000; SameSite=Lax";
    return id;
  }
  function track(event) {
    if (!document.body || document.body.dataset.events !== "on") return;
    event.id = "web-" + randomId();
    event.at = Date.now();
    event.session_id = sessionId();
    event.visitor_id = visitorId();
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
    var art = document.querySelector("[data-art]");

    function chosen() {
      var picked = {};
      form.querySelectorAll("input[type=radio]:checked").forEach(function (r) { picked[r.name] = r.value; });
      return variants.find(function (v) {
        return Object.keys(picked).every(function (k) { return v.options[k] === picked[k]; });
      });
    }
    function update(ev) {
      var v = chosen();
      if (!v) {
        if (stockEl) { stockEl.textContent = "This combination is not made."; stockEl.className = "stock out"; }
        if (button) button.disabled = true;
        return;
      }
      if (priceEl && v.price_minor != null) priceEl.textContent = money(v.price_minor, v.currency);
      // The drawing takes the variant's metal; the URL names the variant,
      // so that a reload or a shared link opens on it.
      if (art && v.metal) art.className = "art " + v.metal;
      if (ev && window.history && history.replaceState) {
        var url = new URL(location.href);
        if (url.searchParams.get("variant") !== v.sku) {
          url.searchParams.delete("metal");
          url.searchParams.set("variant", v.sku);
          history.replaceState(null, "", url.pathname + url.search + url.hash);
        }
      }
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

  // Bag page. The lines are drawn at once from what this browser keeps, then
  // replaced by the server's (GET /cart/lines: the drawing and today's
  // price); "Pairs well with" comes from GET /cart/pairs. Both answer HTML.
  function cartQuery(lines) {
    return lines.map(function (l) {
      return "sku=" + encodeURIComponent(l.sku) + "&qty=" + encodeURIComponent(l.qty || 1);
    }).join("&");
  }
  function fetchHtml(url) {
    return fetch(url, { headers: { Accept: "text/html" } }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    });
  }
  function cartPage() {
    var root = document.querySelector("[data-cart]");
    if (!root) return;
    var list = root.querySelector("[data-cart-lines]");
    var total = root.querySelector("[data-cart-total]");
    var empty = root.querySelector("[data-cart-empty]");
    var filled = root.querySelector("[data-cart-filled]");
    var drawn = null;
    list.addEventListener("click", function (ev) {
      var rm = ev.target.closest && ev.target.closest("[data-remove]");
      if (!rm) return;
      var sku = rm.getAttribute("data-remove");
      save(load().filter(function (l) { return l.sku !== sku; }));
      render();
    });
    function subtotal(items) {
      var sum = 0, currency = null, mixed = false;
      items.forEach(function (it) {
        if (it.minor == null || !it.currency) return;
        if (currency && currency !== it.currency) mixed = true;
        currency = it.currency;
        sum += it.minor;
      });
      total.textContent = currency && !mixed ? money(sum, currency) : "";
    }
    function renderLocal(lines) {
      list.textContent = "";
      lines.forEach(function (l) {
        var li = document.createElement("li");
        li.className = "cart-line";
        var left = document.createElement("div");
        left.className = "line-text";
        var a = document.createElement("a");
        a.href = "/p/" + encodeURIComponent(l.handle);
        a.textContent = l.title;
        left.appendChild(a);
        var meta = document.createElement("div");
        meta.className = "muted small";
        meta.textContent = (l.options ? l.options + " · " : "") + "SKU " + l.sku + " · Qty " + l.qty;
        left.appendChild(meta);
        var right = document.createElement("div");
        right.className = "line-price";
        if (l.price_minor != null) right.textContent = money(l.price_minor * l.qty, l.currency) + " ";
        var rm = document.createElement("button");
        rm.type = "button";
        rm.className = "link-button";
        rm.textContent = "Remove";
        rm.setAttribute("data-remove", l.sku);
        rm.setAttribute("aria-label", "Remove " + l.title + " from the bag");
        right.appendChild(rm);
        li.appendChild(left);
        li.appendChild(right);
        list.appendChild(li);
      });
      subtotal(lines.map(function (l) {
        return { minor: l.price_minor != null ? l.price_minor * l.qty : null, currency: l.currency };
      }));
    }
    function render() {
      var lines = load();
      empty.hidden = lines.length > 0;
      filled.hidden = lines.length === 0;
      renderLocal(lines);
      pairs(lines);
      if (!lines.length || !window.fetch) return;
      var query = cartQuery(lines);
      drawn = query;
      fetchHtml("/cart/lines?" + query).then(function (html) {
        if (drawn !== query) return;
        list.innerHTML = html;
        subtotal(Array.prototype.map.call(list.querySelectorAll("[data-sku]"), function (li) {
          var minor = li.getAttribute("data-minor");
          return { minor: minor == null ? null : Number(minor), currency: li.getAttribute("data-currency") };
        }));
      }).catch(function () { /* the lines drawn from this browser stay */ });
    }
    render();
  }

  // "Pairs well with" on the bag page. The section stays hidden when the bag
  // is empty, the model knows nothing to pair, or the request fails.
  var pairsFor = null;
  function pairs(lines) {
    var section = document.querySelector("[data-cart-recs]");
    if (!section || !window.fetch) return;
    var key = cartQuery(lines);
    if (key === pairsFor) return;
    pairsFor = key;
    if (!lines.length) { section.hidden = true; return; }
    fetchHtml("/cart/pairs?" + key)
      .then(function (html) {
        if (pairsFor !== key) return;
        var list = section.querySelector("[data-cart-recs-list]");
        list.innerHTML = html;
        section.hidden = list.children.length === 0;
      })
      .catch(function () { section.hidden = true; });
  }

  // Facets (search and category pages): a sidebar on a wide screen, a drawer
  // behind the "Filters" button on a phone, where results come first. The
  // page arrives with the facets open (no script: a phone shows them below
  // the results); here they close on a phone and become a drawer.
  function filters() {
    var el = document.querySelector("[data-filters]");
    if (!el || !window.matchMedia) return;
    var phone = window.matchMedia("(max-width: 820px)");
    var close = el.querySelector("[data-close-filters]");
    function fit() {
      if (phone.matches) { el.setAttribute("data-drawer", ""); el.open = false; }
      else { el.removeAttribute("data-drawer"); el.open = true; }
      if (close) close.hidden = !phone.matches;
    }
    if (close) close.addEventListener("click", function () { el.open = false; });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && el.hasAttribute("data-drawer") && el.open) el.open = false;
    });
    if (phone.addEventListener) phone.addEventListener("change", fit);
    fit();
  }

  // The help panel on shop pages: asks /help/answer and shows the answer
  // with its sources (as text, never as markup). Without the script the
  // form goes to /help, which answers the same way. "Talk to a person"
  // is always there and opens the contact form with the question filled in.
  function chat() {
    var form = document.querySelector("[data-chat-form]");
    if (!form) return;
    var log = document.querySelector("[data-chat-log]");
    var person = document.querySelector("[data-chat-person]");
    form.addEventListener("submit", function (ev) {
      var q = form.querySelector("input[name=q]").value.trim();
      if (!q) { ev.preventDefault(); return; }
      ev.preventDefault();
      person.href = "/help?q=" + encodeURIComponent(q) + "#contact";
      var asked = document.createElement("p");
      asked.className = "chat-q";
      asked.textContent = q;
      log.appendChild(asked);
      fetch("/help/answer?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (a) {
          var reply = document.createElement("div");
          reply.className = "chat-a";
          reply.setAttribute("data-chat-answer", a.answer ? "answered" : "none");
          if (a.answer) {
            a.answer.split("\n\n").forEach(function (para) {
              var p = document.createElement("p");
              p.textContent = para;
              reply.appendChild(p);
            });
            var src = document.createElement("p");
            src.className = "muted small";
            src.textContent = "From: " + a.citations.map(function (c) { return c.heading; }).join("; ");
            reply.appendChild(src);
          } else {
            var none = document.createElement("p");
            none.textContent = "Our help pages don't answer that, so we won't guess. A person can help: use the button below.";
            reply.appendChild(none);
          }
          log.appendChild(reply);
          log.scrollTop = log.scrollHeight;
        })
        .catch(function () {
          var err = document.createElement("p");
          err.className = "chat-a";
          err.textContent = "Sorry, we could not get an answer just now. A person can help: use the button below.";
          log.appendChild(err);
        });
      form.reset();
    });
  }

  // Selects that apply themselves (the sort order): no inline handlers, so
  // the pages' Content-Security-Policy needs no 'unsafe-inline' for scripts.
  function autoSubmit() {
    document.querySelectorAll("[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { if (s.form) s.form.submit(); });
    });
  }

  // The tasks page reloads itself while a task runs, to show its progress.
  function autoRefresh() {
    var el = document.querySelector("[data-refresh]");
    if (!el) return;
    var seconds = parseFloat(el.getAttribute("data-refresh")) || 2;
    setTimeout(function () { location.reload(); }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    autoSubmit();
    autoRefresh();
    showCount();
    filters();
    searchPage();
    productPage();
    cartPage();
    chat();
  });
})();
