/*
 * The operator page: every key of every instance (GET /series), one key's served forecasts against
 * its actuals (GET /series/{key}/history), its recent anomalies (GET /series/{key}/anomalies) and
 * its model card (GET /series/{key}/model).
 *
 * Rules this file keeps:
 *  - every request goes through api(), which adds the credentials the user gave (if any);
 *  - data is only ever put into the page as text (textContent, attributes), never parsed as HTML;
 *  - every number shown is the API's, only formatted here (never recomputed);
 *  - polling is bounded per open page: the overview asks at most once per OVERVIEW_EVERY_MS, a key's
 *    view its history at most once per KEY_EVERY_MS, its anomalies only right after a history request
 *    and only when that brought a newer value (else at most once per MODEL_EVERY_MS), and its model
 *    at most once per MODEL_EVERY_MS (or when the served model's version changes); nothing is asked
 *    while the tab is hidden, and
 *    failures back off up to MAX_BACKOFF_MS.
 */
'use strict';
(function () {
  const OVERVIEW_EVERY_MS = 5000;
  const KEY_EVERY_MS = 2000;
  const MODEL_EVERY_MS = 15000;
  const MAX_BACKOFF_MS = 30000;
  const SEARCH_DEBOUNCE_MS = 300;
  const CREDENTIAL = 'stream-forecaster.credential';
  const COLOURS = {
    actual: '#1f4e9c', served: '#8a4500', band: 'rgba(138, 69, 0, 0.16)', outside: '#b00020',
    change: '#5b2a86', fan: '#00695c', fanFill: 'rgba(0, 105, 92, 0.18)', mark: '#1b1f24', grid: '#d5dbe1', axis: '#1b1f24',
    anomaly: '#a0006e'
  };

  const $ = (id) => document.getElementById(id);
  /** What the browser test reads: request counts and what the chart was given. */
  const stats = { requests: 0, history: 0, model: 0, overview: 0, anomalies: 0 };

  // ---- requests -------------------------------------------------------------------------------

  /** The key as one path segment, byte for byte as the service encodes it (SeriesResource.pathSegment). */
  function keyPath(key) {
    return encodeURIComponent(key).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  }

  function credential() {
    try {
      const c = JSON.parse(sessionStorage.getItem(CREDENTIAL) || 'null');
      return c && typeof c.value === 'string' && c.value.length > 0 ? c : null;
    } catch (e) {
      return null;
    }
  }

  class ApiError extends Error {
    constructor(status, message, challenge) {
      super(message);
      this.status = status;
      this.challenge = challenge;
    }
  }

  /** The one way this page asks the service: relative paths (works behind a path prefix), credentials added. */
  async function api(path) {
    const headers = { Accept: 'application/json' };
    const c = credential();
    if (c && c.kind === 'api-key') {
      headers['X-API-Key'] = c.value;
    } else if (c) {
      headers.Authorization = 'Bearer ' + c.value;
    }
    stats.requests++;
    let response;
    try {
      response = await fetch(path, { headers, cache: 'no-store', credentials: 'same-origin' });
    } catch (e) {
      throw new ApiError(0, 'the service does not answer (' + e.message + ')', null);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const reason = body && typeof body.error === 'string' ? body.error : response.statusText || 'error';
      throw new ApiError(response.status, reason, response.headers.get('WWW-Authenticate'));
    }
    return body;
  }

  // ---- formatting only ------------------------------------------------------------------------

  /** A number with about four significant digits; the exact value stays in the element's value. */
  function fmt(v) {
    if (typeof v !== 'number' || !isFinite(v)) {
      return '—';
    }
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e7 || a < 1e-4)) {
      return v.toExponential(3);
    }
    const digits = a === 0 ? 0 : Math.min(6, Math.max(0, 3 - Math.floor(Math.log10(a))));
    return v.toFixed(digits);
  }

  function fmtPercent(v) {
    return v === null || v === undefined ? '—' : (v * 100).toFixed(1) + ' %';
  }

  function fmtAge(seconds) {
    if (seconds === null || seconds === undefined) {
      return '—';
    }
    const s = Math.round(seconds);
    if (s < 120) return s + ' s';
    if (s < 7200) return Math.floor(s / 60) + ' min';
    if (s < 172800) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
  }

  function pad(n, w) {
    return String(n).padStart(w || 2, '0');
  }

  /** Local time, to the second; the date too when not today. */
  function fmtTime(ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) {
      return '—';
    }
    const d = new Date(ms);
    const now = new Date();
    const time = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
    return d.toDateString() === now.toDateString() ? time
      : d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + time;
  }

  function fmtIso(iso) {
    return iso ? fmtTime(Date.parse(iso)) : '—';
  }

  /** An element holding text only. */
  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) {
      e.textContent = text;
    }
    if (className) {
      e.className = className;
    }
    return e;
  }

  /** A number as <data value="exact">formatted</data>: what is read is the API's value, untouched. */
  function num(v, formatter) {
    const none = v === null || v === undefined;
    const d = el('data', none ? '—' : (formatter || fmt)(v), none ? 'none' : undefined);
    d.value = none ? '' : String(v);
    return d;
  }

  function badge(source) {
    if (!source) {
      return el('span', '—', 'none');
    }
    const b = el('span', source, 'badge ' + source);
    return b;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  // ---- polling --------------------------------------------------------------------------------

  /**
   * Runs task at most once per everyMs, one at a time, only while the tab is visible; after a
   * failure waits twice as long (up to MAX_BACKOFF_MS). now() runs it at once (a user's action).
   */
  function poller(task, everyMs) {
    let timer = null;
    let running = false;
    let again = false;
    let stopped = true;
    let delay = everyMs;
    let lastStart = 0;
    let generation = 0; // one more at each stop: a run that ends after it speaks for a view left

    async function run() {
      timer = null;
      if (stopped || document.hidden) {
        return;
      }
      if (running) {
        again = true;
        return;
      }
      running = true;
      lastStart = Date.now();
      const mine = generation;
      try {
        await task();
        if (mine === generation) {
          delay = everyMs;
          showError(null);
        }
      } catch (e) {
        if (mine === generation) { // not the error banner of a view the user has left
          delay = Math.min(MAX_BACKOFF_MS, delay * 2);
          showError(e, delay);
        }
      }
      running = false;
      if (again) {
        again = false;
        run();
      } else {
        schedule();
      }
    }

    function schedule() {
      if (stopped || document.hidden || timer !== null || running) {
        return;
      }
      timer = setTimeout(run, Math.max(0, lastStart + delay - Date.now()));
    }

    return {
      start() {
        stopped = false;
        this.now();
      },
      stop() {
        stopped = true;
        generation++;
        if (timer !== null) {
          clearTimeout(timer);
          timer = null;
        }
      },
      now() {
        if (timer !== null) {
          clearTimeout(timer);
          timer = null;
        }
        run();
      },
      /** The tab became visible again: resume, keeping the bound. */
      wake: schedule
    };
  }

  let lastUpdate = null;

  function showLive() {
    const live = $('live');
    if (document.hidden) {
      live.textContent = 'Paused while this tab is hidden';
    } else if (lastUpdate) {
      live.textContent = 'Live · updated ' + fmtTime(lastUpdate.getTime());
    }
  }

  function showError(e, retryMs) {
    const box = $('error');
    if (!e) {
      box.hidden = true;
      lastUpdate = new Date();
      showLive();
      return;
    }
    box.hidden = false;
    if (e.status === 401 || e.status === 403) {
      box.textContent = 'The service refused the request (' + e.status + '): ' + e.message
        + '. Give a token or key under Credentials.';
      openAuth(e.challenge);
    } else {
      box.textContent = (e.status ? 'The service answered ' + e.status + ': ' : '') + e.message
        + (retryMs ? '. Trying again in ' + Math.round(retryMs / 1000) + ' s.' : '');
    }
    $('live').textContent = 'Not updating: see the message below';
  }

  // ---- overview -------------------------------------------------------------------------------

  const MAX_WINDOW = 10000;
  const overviewState = { q: '', sort: '-ratio', offset: 0, limit: 50, total: 0, seq: 0 };
  /** The first click on a column sorts it worst first; the next click reverses. */
  const WORST_FIRST = { ratio: '-ratio', coverage: 'coverage', age: '-age', version: 'version', source: 'source', key: 'key' };

  async function loadOverview() {
    const s = overviewState;
    const seq = ++s.seq;
    const params = new URLSearchParams({ offset: String(s.offset), limit: String(s.limit), sort: s.sort });
    if (s.q) {
      params.set('q', s.q);
    }
    stats.overview++;
    const page = await api('series?' + params.toString());
    if (seq !== s.seq || view.name !== 'overview') {
      return; // a newer request (another search or page) or another view took over
    }
    if (page.items.length === 0 && page.total > 0 && s.offset >= page.total) {
      s.offset = Math.max(0, Math.floor((page.total - 1) / s.limit) * s.limit);
      return loadOverview();
    }
    renderOverview(page);
  }

  function renderOverview(page) {
    const s = overviewState;
    s.total = page.total;
    const partial = $('partial');
    if (page.partial) {
      partial.hidden = false;
      partial.textContent = 'Partial: some keys are missing here (an instance did not answer, or partitions are being restored or moved): '
        + page.missing.join('; ');
    } else {
      partial.hidden = true;
      partial.textContent = '';
    }
    const focusedKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : undefined;
    const body = $('rows');
    const rows = document.createDocumentFragment();
    for (const item of page.items) {
      const tr = document.createElement('tr');
      tr.dataset.key = item.key;
      const keyCell = cell(tr, 'key', 'Key', 'key');
      const link = el('a', item.key);
      link.href = '#/key/' + keyPath(item.key);
      link.dataset.key = item.key;
      keyCell.appendChild(link);
      cell(tr, 'source', 'Source').appendChild(badge(item.source));
      const version = cell(tr, 'modelVersion', 'Model', 'num');
      version.appendChild(num(item.modelVersion > 0 ? item.modelVersion : null, (v) => 'v' + v)); // 0: no model, a dash
      const age = cell(tr, 'modelAgeSeconds', 'Age', 'num');
      age.appendChild(num(item.modelAgeSeconds, fmtAge));
      if (item.trainedAt) {
        age.title = 'trained at ' + item.trainedAt;
      }
      const ratio = cell(tr, 'maeRatio', 'MAE / naive', 'num');
      ratio.appendChild(num(item.maeRatio));
      ratio.title = 'online MAE ' + fmt(item.onlineMae) + ', naive MAE ' + fmt(item.naiveMae);
      cell(tr, 'coverage', 'Coverage', 'num').appendChild(num(item.coverage, fmtPercent));
      const drift = cell(tr, 'drifting', 'Drifting');
      drift.dataset.value = String(item.drifting);
      drift.appendChild(item.drifting ? el('span', '⚠ drifting', 'flag') : el('span', 'no', 'none'));
      rows.appendChild(tr);
    }
    clear(body);
    body.appendChild(rows);
    if (focusedKey !== undefined) {
      for (const a of body.querySelectorAll('a')) {
        if (a.dataset.key === focusedKey) {
          a.focus();
        }
      }
    }
    $('empty').hidden = page.items.length > 0;
    const from = page.items.length === 0 ? 0 : s.offset + 1;
    $('range').textContent = from + '–' + (s.offset + page.items.length) + ' of ' + page.total + (page.total === 1 ? ' key' : ' keys');
    $('prev').disabled = s.offset === 0;
    // the service lists at most 10,000 keys deep (offset + limit, OverviewBudget.MAX_WINDOW): search to go further
    const windowEnd = s.offset + 2 * s.limit > MAX_WINDOW;
    $('next').disabled = s.offset + s.limit >= page.total || windowEnd;
    $('next').title = windowEnd && s.offset + s.limit < page.total ? 'The list reaches ' + MAX_WINDOW + ' keys deep: search, or sort the other way' : '';
    for (const th of document.querySelectorAll('#series-table th[data-sort]')) {
      const field = th.dataset.sort;
      if (s.sort === field || s.sort === '-' + field) {
        th.setAttribute('aria-sort', s.sort.startsWith('-') ? 'descending' : 'ascending');
      } else {
        th.removeAttribute('aria-sort');
      }
    }
    $('overview').dataset.loaded = String(Date.now());
  }

  function cell(tr, field, label, className) {
    const td = document.createElement('td');
    td.dataset.field = field;
    td.dataset.label = label;
    if (className) {
      td.className = className;
    }
    tr.appendChild(td);
    return td;
  }

  const overviewPoller = poller(loadOverview, OVERVIEW_EVERY_MS);

  function wireOverview() {
    let debounce = null;
    $('q').addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => {
        overviewState.q = $('q').value.trim();
        overviewState.offset = 0;
        overviewPoller.now();
      }, SEARCH_DEBOUNCE_MS);
    });
    $('sort').addEventListener('change', () => setSort($('sort').value));
    $('limit').addEventListener('change', () => {
      overviewState.limit = Number($('limit').value);
      overviewState.offset = 0;
      overviewPoller.now();
    });
    for (const th of document.querySelectorAll('#series-table th[data-sort]')) {
      th.querySelector('button').addEventListener('click', () => {
        const field = th.dataset.sort;
        const s = overviewState.sort;
        const worst = WORST_FIRST[field];
        setSort(s === worst ? (worst.startsWith('-') ? field : '-' + field) : worst);
      });
    }
    $('prev').addEventListener('click', () => {
      overviewState.offset = Math.max(0, overviewState.offset - overviewState.limit);
      overviewPoller.now();
    });
    $('next').addEventListener('click', () => {
      if (overviewState.offset + overviewState.limit < overviewState.total) {
        overviewState.offset += overviewState.limit;
        overviewPoller.now();
      }
    });
  }

  function setSort(sort) {
    overviewState.sort = sort;
    overviewState.offset = 0;
    $('sort').value = sort;
    overviewPoller.now();
  }

  // ---- one key --------------------------------------------------------------------------------

  const keyState = {
    key: null, seq: 0, history: null, model: undefined, modelAt: 0, modelVersion: null, plot: null, marks: null,
    anomalies: undefined, anomaliesAt: 0, anomaliesAfter: null
  };

  async function loadKey() {
    const key = keyState.key;
    const seq = keyState.seq;
    stats.history++;
    const history = await api('series/' + keyPath(key) + '/history');
    if (seq !== keyState.seq) {
      return;
    }
    const version = history.current ? history.current.modelVersion : null;
    if (keyState.model === undefined || version !== keyState.modelVersion || Date.now() - keyState.modelAt >= MODEL_EVERY_MS) {
      const askedAt = Date.now();
      stats.model++;
      let model;
      try {
        model = await api('series/' + keyPath(key) + '/model');
      } catch (e) {
        if (e.status !== 404) {
          throw e; // asked again at the next tick: what was asked for is only noted once it is answered
        }
        model = null; // no model yet: the card says so
      }
      if (seq !== keyState.seq) {
        return;
      }
      keyState.model = model;
      keyState.modelAt = askedAt;
      keyState.modelVersion = version;
    }
    // anomalies change only with a new value: asked when the history brought one (or now and then, in
    // case the key moved), so an idle key costs no more requests than before
    const newest = history.points.length > 0 ? history.points[history.points.length - 1].timestamp : null;
    if (keyState.anomalies === undefined || newest !== keyState.anomaliesAfter || Date.now() - keyState.anomaliesAt >= MODEL_EVERY_MS) {
      const askedAt = Date.now();
      stats.anomalies++;
      let anomalies;
      try {
        anomalies = await api('series/' + keyPath(key) + '/anomalies');
      } catch (e) {
        if (e.status !== 404) {
          throw e;
        }
        anomalies = null;
      }
      if (seq !== keyState.seq) {
        return;
      }
      keyState.anomalies = anomalies;
      keyState.anomaliesAt = askedAt;
      keyState.anomaliesAfter = newest;
    }
    keyState.history = history;
    $('key-problem').hidden = true;
    renderKey(history, keyState.model, keyState.anomalies);
  }

  const keyPoller = poller(async () => {
    try {
      await loadKey();
    } catch (e) {
      if (e.status === 404) { // an unknown key: say so, keep asking (it may appear)
        const p = $('key-problem');
        p.hidden = false;
        p.textContent = 'No instance has this key (yet): ' + e.message;
        return;
      }
      throw e;
    }
  }, KEY_EVERY_MS);

  function renderKey(history, model, anomalies) {
    const list = anomalies && Array.isArray(anomalies.anomalies) ? anomalies.anomalies : [];
    renderNow(history.current);
    renderChart(history, list);
    renderChanges(history);
    renderAnomalies(anomalies, list);
    renderPoints(history);
    renderModel(model, history.current);
    $('key').dataset.loaded = String(Date.now());
  }

  function renderNow(current) {
    const now = $('now');
    clear(now);
    if (!current) {
      now.appendChild(el('span', 'No forecast yet.'));
      return;
    }
    const value = el('span', 'Next value: ');
    const big = num(current.forecast);
    big.className = 'big';
    big.id = 'current-forecast';
    value.appendChild(big);
    now.appendChild(value);
    if (current.lower !== undefined && current.lower !== null) {
      const interval = el('span', 'interval ');
      interval.appendChild(num(current.lower));
      interval.appendChild(document.createTextNode(' to '));
      interval.appendChild(num(current.upper));
      now.appendChild(interval);
    } else {
      now.appendChild(el('span', 'no interval yet (too few scored forecasts)'));
    }
    const source = el('span', 'source ');
    source.appendChild(badge(currentSource(current)));
    now.appendChild(source);
    now.appendChild(el('span', current.modelVersion > 0 ? 'model v' + current.modelVersion : 'no model'));
    now.appendChild(el('span', 'after the value of ' + fmtTime(current.timestamp)));
    if (current.horizon) {
      now.appendChild(el('span', 'horizon ' + current.horizon.length + ' steps'));
    }
  }

  /** The overview's four sources from the forecast record's flags (a label, not a number). */
  function currentSource(current) {
    if (current.fallback) return 'fallback';
    if (current.damped) return 'damped';
    return current.source;
  }

  /**
   * The chart's data, all the API's values: x is the point's position (the served history, then
   * +1..+H steps ahead), so no time is invented for the horizon; the axis shows each point's time.
   */
  function chartData(history, anomalies) {
    const points = history.points;
    const n = points.length;
    const current = history.current;
    const steps = current ? (current.horizon || [{ step: 1, forecast: current.forecast, lower: current.lower, upper: current.upper }]) : [];
    const size = n + steps.length;
    const column = () => new Array(size).fill(null);
    const d = {
      x: [], timestamps: column(), actual: column(), forecast: column(), lower: column(), upper: column(),
      horizon: column(), horizonLower: column(), horizonUpper: column(), outside: [], fallback: [], changes: [], anomalies: [], history: n
    };
    for (let i = 0; i < size; i++) {
      d.x.push(i);
    }
    points.forEach((p, i) => {
      d.timestamps[i] = p.timestamp;
      d.actual[i] = p.actual;
      d.forecast[i] = p.forecast;
      d.lower[i] = p.lower;
      d.upper[i] = p.upper;
      if (p.outside) d.outside.push(i);
      if (p.fallback && p.forecast !== null) d.fallback.push(i);
    });
    steps.forEach((s, j) => {
      d.horizon[n + j] = s.forecast;
      d.horizonLower[n + j] = s.lower === undefined ? null : s.lower;
      d.horizonUpper[n + j] = s.upper === undefined ? null : s.upper;
    });
    for (const c of history.modelChanges) {
      const at = points.findIndex((p) => p.timestamp === c.timestamp && p.modelVersion === c.toVersion);
      if (at >= 0) {
        d.changes.push({ index: at, fromVersion: c.fromVersion, toVersion: c.toVersion, timestamp: c.timestamp });
      }
    }
    // an anomaly is marked on the value it scored; one older than the chart's values is only listed
    for (const a of anomalies) {
      const at = points.findIndex((p) => p.timestamp === a.timestamp && p.actual === a.actual);
      if (at >= 0) {
        d.anomalies.push({ index: at, timestamp: a.timestamp, score: a.score, actual: a.actual, expected: nullable(a.expected), cause: a.cause });
      }
    }
    return d;
  }

  /** A field the API leaves out when it has no value (an anomaly without a served forecast): null. */
  function nullable(v) {
    return v === undefined ? null : v;
  }

  /** The x axis: a served point's time, or +k for the horizon's k-th step ahead. */
  function axisLabel(d, i) {
    if (!d || !Number.isInteger(i) || i < 0 || i >= d.x.length) return '';
    return i < d.history ? fmtTime(d.timestamps[i]) : '+' + (i - d.history + 1);
  }

  /** The axis' shorter label: the time, with the day on a line above it when not today (full labels overlap). */
  function axisTick(d, i) {
    if (!d || !Number.isInteger(i) || i < 0 || i >= d.x.length) return '';
    if (i >= d.history) return '+' + (i - d.history + 1);
    const t = d.timestamps[i];
    const date = new Date(t);
    const time = pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds());
    return date.toDateString() === new Date().toDateString() ? time : pad(date.getMonth() + 1) + '-' + pad(date.getDate()) + '\n' + time;
  }

  function renderChart(history, anomalies) {
    const d = chartData(history, anomalies);
    keyState.marks = d;
    const box = $('chart');
    box.dataset.points = String(history.points.length);
    box.setAttribute('aria-label', 'Chart of ' + keyState.key + ': ' + history.points.length + ' actual values with the forecasts served for them and their intervals, '
      + d.outside.length + ' outside their interval, ' + d.anomalies.length + ' anomalies, ' + d.changes.length + ' model changes, and the current forecast');
    const data = [d.x, d.actual, d.forecast, d.lower, d.upper, d.horizon, d.horizonLower, d.horizonUpper];
    if (typeof uPlot === 'undefined') {
      box.textContent = 'The chart library did not load.';
      return;
    }
    if (keyState.plot && keyState.plot.series.length === data.length) {
      keyState.plot.setData(data);
      return;
    }
    if (keyState.plot) {
      keyState.plot.destroy();
    }
    clear(box);
    const width = Math.max(280, box.clientWidth);
    const opts = {
      width,
      height: width < 600 ? 240 : 340,
      scales: { x: { time: false } },
      legend: { live: true },
      series: [
        { label: 'time', value: (u, i) => (i === null || i === undefined ? '—' : axisLabel(keyState.marks, i)) },
        { label: 'actual', stroke: COLOURS.actual, width: 2, points: { show: true, size: 4, fill: COLOURS.actual } },
        { label: 'served forecast', stroke: COLOURS.served, width: 1.5, dash: [6, 3], points: { show: false } },
        { label: 'lower', stroke: COLOURS.served, width: 0.5, points: { show: false } },
        { label: 'upper', stroke: COLOURS.served, width: 0.5, points: { show: false } },
        { label: 'current forecast', stroke: COLOURS.fan, width: 2, dash: [2, 3], points: { show: true, size: 6, fill: COLOURS.fan } },
        { label: 'current lower', stroke: COLOURS.fan, width: 0.5, points: { show: false } },
        { label: 'current upper', stroke: COLOURS.fan, width: 0.5, points: { show: false } }
      ],
      bands: [
        { series: [4, 3], fill: COLOURS.band },
        { series: [7, 6], fill: COLOURS.fanFill }
      ],
      axes: [
        { stroke: COLOURS.axis, grid: { stroke: COLOURS.grid }, space: 70, size: 48, values: (u, splits) => splits.map((i) => axisTick(keyState.marks, i)) },
        { stroke: COLOURS.axis, grid: { stroke: COLOURS.grid }, size: 64, values: (u, splits) => splits.map((v) => fmt(v)) }
      ],
      hooks: { draw: [drawMarks] }
    };
    keyState.plot = new uPlot(opts, data, box);
  }

  /** Marks told apart by shape, not colour alone: ✕ outside, ◯ anomaly, □ fallback, dashed line + "vN" a model change. */
  function drawMarks(u) {
    const d = keyState.marks;
    if (!d) return;
    const ctx = u.ctx;
    const px = devicePixelRatio || 1;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    ctx.lineWidth = 2 * px;
    ctx.strokeStyle = COLOURS.outside;
    const r = 5 * px;
    for (const i of d.outside) {
      const x = u.valToPos(i, 'x', true);
      const y = u.valToPos(d.actual[i], 'y', true);
      ctx.beginPath();
      ctx.moveTo(x - r, y - r);
      ctx.lineTo(x + r, y + r);
      ctx.moveTo(x + r, y - r);
      ctx.lineTo(x - r, y + r);
      ctx.stroke();
    }
    ctx.strokeStyle = COLOURS.anomaly;
    ctx.lineWidth = 2.5 * px;
    for (const a of d.anomalies) {
      const x = u.valToPos(a.index, 'x', true);
      const y = u.valToPos(a.actual, 'y', true);
      ctx.beginPath();
      ctx.arc(x, y, 9 * px, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.strokeStyle = COLOURS.mark;
    ctx.lineWidth = 1.5 * px;
    for (const i of d.fallback) {
      const x = u.valToPos(i, 'x', true);
      const y = u.valToPos(d.forecast[i], 'y', true);
      ctx.strokeRect(x - 3.5 * px, y - 3.5 * px, 7 * px, 7 * px);
    }
    ctx.strokeStyle = COLOURS.change;
    ctx.fillStyle = COLOURS.change;
    ctx.font = (12 * px) + 'px system-ui, sans-serif';
    for (const c of d.changes) {
      const x = u.valToPos(c.index, 'x', true);
      ctx.setLineDash([4 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillText('v' + c.toVersion, x + 3 * px, u.bbox.top + 13 * px);
    }
    ctx.restore();
  }

  function renderChanges(history) {
    const list = $('changes');
    clear(list);
    if (history.modelChanges.length === 0) {
      list.appendChild(el('li', 'None among these values.', 'none'));
      return;
    }
    for (const c of history.modelChanges.slice().reverse()) {
      const li = el('li', 'v' + c.fromVersion + ' → v' + c.toVersion + ', first served for the value of ' + fmtTime(c.timestamp));
      li.dataset.toVersion = String(c.toVersion);
      list.appendChild(li);
    }
  }

  /** The key's recent anomalies, newest first: the API's values as text, and its latest score. */
  function renderAnomalies(answer, list) {
    const latest = $('anomaly-latest');
    clear(latest);
    if (answer && answer.latestScore !== null && answer.latestScore !== undefined) {
      latest.appendChild(document.createTextNode('Latest value\'s score: '));
      latest.appendChild(num(answer.latestScore));
    } else {
      latest.textContent = 'No score yet (the key is still warming up).';
    }
    const body = $('anomaly-rows');
    const rows = document.createDocumentFragment();
    for (const a of list.slice().reverse()) {
      const tr = document.createElement('tr');
      tr.dataset.timestamp = String(a.timestamp);
      const time = el('td', fmtTime(a.timestamp));
      time.dataset.field = 'timestamp';
      tr.appendChild(time);
      for (const field of ['score', 'actual', 'expected']) {
        const t = td(num(nullable(a[field])));
        t.dataset.field = field;
        tr.appendChild(t);
      }
      const interval = document.createElement('td');
      if (a.lower !== undefined && a.lower !== null) {
        interval.appendChild(num(a.lower));
        interval.appendChild(document.createTextNode(' to '));
        interval.appendChild(num(a.upper));
      } else {
        interval.appendChild(el('span', '—', 'none'));
      }
      tr.appendChild(interval);
      tr.appendChild(el('td', a.cause || '—'));
      rows.appendChild(tr);
    }
    clear(body);
    body.appendChild(rows);
    $('anomaly-none').hidden = list.length > 0;
  }

  function renderPoints(history) {
    const body = $('point-rows');
    const rows = document.createDocumentFragment();
    const points = history.points.slice(-20).reverse();
    for (const p of points) {
      const tr = document.createElement('tr');
      tr.appendChild(el('td', fmtTime(p.timestamp)));
      tr.appendChild(td(num(p.actual)));
      tr.appendChild(td(num(p.forecast)));
      const interval = document.createElement('td');
      if (p.lower !== null) {
        interval.appendChild(num(p.lower));
        interval.appendChild(document.createTextNode(' to '));
        interval.appendChild(num(p.upper));
      } else {
        interval.appendChild(el('span', '—', 'none'));
      }
      tr.appendChild(interval);
      tr.appendChild(td(badge(p.forecast === null ? null : p.fallback ? 'fallback' : p.damped ? 'damped' : p.source)));
      tr.appendChild(el('td', p.modelVersion > 0 ? 'v' + p.modelVersion : '—'));
      tr.appendChild(p.outside ? el('td', '✕ outside', 'outside') : el('td', p.lower === null ? '—' : 'inside'));
      rows.appendChild(tr);
    }
    clear(body);
    body.appendChild(rows);
  }

  function td(child) {
    const t = document.createElement('td');
    t.appendChild(child);
    return t;
  }

  const REASONS = {
    'first-model': 'its first model',
    fallback: 'its model is set aside for naive',
    drift: 'its model drifted',
    age: 'its model\'s age'
  };

  function renderModel(model, current) {
    const why = $('why');
    const fields = $('model-fields');
    clear(why);
    clear(fields);
    const add = (label, value, field) => {
      const dt = el('dt', label);
      const dd = document.createElement('dd');
      if (field) dd.dataset.field = field;
      if (value instanceof Node) dd.appendChild(value); else dd.textContent = value;
      fields.appendChild(dt);
      fields.appendChild(dd);
    };
    const pair = (a, b, joiner) => {
      const s = document.createElement('span');
      s.appendChild(num(a));
      s.appendChild(document.createTextNode(joiner));
      s.appendChild(num(b));
      return s;
    };
    if (!model) {
      why.textContent = current
        ? 'Serving naive (the last value): no model yet. Its first model is trained once it has enough observations.'
        : 'No forecast yet.';
      return;
    }
    why.textContent = whyText(model, current)
      + (current && current.modelVersion > 0 && current.modelVersion !== model.version
        ? ' (The current forecast is still model v' + current.modelVersion + '\'s; v' + model.version + ' serves from the next value.)' : '');
    add('Serving', badge(current ? currentSource(current) : model.serving), 'serving');
    add('Variant', model.variant + (model.scope === 'shared' ? ' (shared by the partition\'s keys)' : ''), 'variant');
    add('Version', num(model.version, (v) => 'v' + v), 'version');
    add('Trained at', fmtIso(model.trainedAt), 'trainedAt');
    dataIso(fields.lastChild, model.trainedAt);
    add('Training loss', num(model.trainingLoss), 'trainingLoss');
    const h = model.holdout;
    if (h && h.points > 0) {
      const s = pair(h.mae, h.naiveMae, ' vs naive ');
      s.appendChild(document.createTextNode(' on ' + h.points + ' values, ' + fmtIso(h.checkedAt)));
      add('Held-out MAE', s, 'holdout');
    } else {
      add('Held-out MAE', 'none held out (short history)', 'holdout');
    }
    if (h && h.challengerMae !== null) {
      add('Last challenger beaten', num(h.challengerMae), 'challengerMae');
    }
    add('Online MAE', pair(model.onlineMae, model.naiveMae, ' vs naive '), 'onlineMae');
    add('Promotions', num(model.promotions, String), 'promotions');
    add('Rejections', num(model.rejections, String), 'rejections');
    add('Fallbacks', num(model.fallbacks, String), 'fallbacks');
    const s = model.schedule;
    if (s) {
      add('Next training', (REASONS[s.reason] || s.reason) + (s.observationsNeeded > 0 ? ', after ' + s.observationsNeeded + ' more values' : '')
        + ', from ' + fmtIso(s.dueAt) + ' (interval ' + s.interval + ')', 'schedule');
      add('Drift', (s.drifting ? '⚠ drifting' : 'not drifting') + ', ' + s.driftDetections + ' detected, statistic ' + fmt(s.driftStatistic), 'drift');
    }
    add('Observations', model.observations + ' (trained on ' + model.trainedOnObservations + ')', 'observations');
  }

  function dataIso(dd, iso) {
    dd.dataset.value = iso || '';
  }

  /** Why the key serves what it serves, from the API's serving, fallback, damped and schedule. */
  function whyText(model, current) {
    const damped = current && current.damped;
    if (model.fallback) {
      return 'Serving naive (fallback): model v' + model.version + '\'s recent MAE ' + fmt(model.modelMae)
        + ' was worse than naive\'s ' + fmt(model.modelNaiveMae) + ' on the same values, so it is set aside until it does better or is retrained.';
    }
    if (damped) {
      return 'Serving model v' + model.version + ' damped (its forecast change halved): that did best recently.';
    }
    if (model.serving === 'lstm') {
      return 'Serving model v' + model.version + ': its recent MAE ' + fmt(model.onlineMae) + ' against naive\'s ' + fmt(model.naiveMae) + '.';
    }
    return 'Serving naive: model v' + model.version + ' cannot forecast yet (too few values since it was trained).';
  }

  // ---- views ----------------------------------------------------------------------------------

  const view = { name: null };

  function route() {
    const hash = location.hash || '#/';
    const match = /^#\/key\/(.*)$/.exec(hash);
    if (match) {
      let key;
      try {
        key = decodeURIComponent(match[1]);
      } catch (e) {
        location.hash = '#/';
        return;
      }
      showKey(key);
    } else {
      showOverview();
    }
  }

  function showOverview() {
    keyPoller.stop();
    keyState.seq++;
    view.name = 'overview';
    $('key').hidden = true;
    $('overview').hidden = false;
    document.title = 'stream-forecaster: series';
    overviewPoller.start();
  }

  function showKey(key) {
    overviewPoller.stop();
    view.name = 'key';
    if (keyState.key !== key) {
      keyState.key = key;
      keyState.seq++;
      keyState.model = undefined;
      keyState.history = null;
      keyState.marks = null;
      keyState.anomalies = undefined;
      keyState.anomaliesAfter = null;
      if (keyState.plot) {
        keyState.plot.destroy();
        keyState.plot = null;
      }
      clear($('chart'));
      clear($('now'));
      clear($('model-fields'));
      clear($('changes'));
      clear($('point-rows'));
      clear($('anomaly-rows'));
      clear($('anomaly-latest'));
      $('why').textContent = '';
      delete $('key').dataset.loaded;
    }
    $('overview').hidden = true;
    $('key').hidden = false;
    $('key-problem').hidden = true;
    $('key-title').textContent = key;
    document.title = 'stream-forecaster: ' + key;
    keyPoller.start();
  }

  // ---- credentials ----------------------------------------------------------------------------

  function openAuth(challenge) {
    const form = $('auth');
    if (challenge && /^apikey/i.test(challenge)) {
      $('auth-kind').value = 'api-key';
    } else if (challenge && /^bearer/i.test(challenge)) {
      $('auth-kind').value = 'bearer';
    }
    form.hidden = false;
    $('auth-toggle').setAttribute('aria-expanded', 'true');
  }

  function wireAuth() {
    const form = $('auth');
    const state = () => {
      const c = credential();
      $('auth-state').textContent = c ? 'Using a ' + (c.kind === 'api-key' ? 'API key' : 'bearer token') + '.' : 'None given.';
    };
    $('auth-toggle').addEventListener('click', () => {
      form.hidden = !form.hidden;
      $('auth-toggle').setAttribute('aria-expanded', String(!form.hidden));
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = $('auth-value').value.trim();
      if (value) {
        sessionStorage.setItem(CREDENTIAL, JSON.stringify({ kind: $('auth-kind').value, value }));
      }
      $('auth-value').value = '';
      state();
      (view.name === 'key' ? keyPoller : overviewPoller).now();
    });
    $('auth-forget').addEventListener('click', () => {
      sessionStorage.removeItem(CREDENTIAL);
      state();
    });
    const c = credential();
    if (c) {
      $('auth-kind').value = c.kind === 'api-key' ? 'api-key' : 'bearer';
    }
    state();
  }

  // ---- start ----------------------------------------------------------------------------------

  function start() {
    wireOverview();
    wireAuth();
    window.addEventListener('hashchange', route);
    document.addEventListener('visibilitychange', () => {
      showLive();
      if (!document.hidden) {
        (view.name === 'key' ? keyPoller : overviewPoller).wake();
      }
    });
    let resizing = null;
    window.addEventListener('resize', () => {
      clearTimeout(resizing);
      resizing = setTimeout(() => {
        if (keyState.plot) {
          const w = Math.max(280, $('chart').clientWidth);
          keyState.plot.setSize({ width: w, height: w < 600 ? 240 : 340 });
        }
      }, 150);
    });
    route();
  }

  /** For the browser test and the curious: what the page asked and what its chart was given. */
  window.forecasterPage = {
    keyPath,
    stats: () => Object.assign({}, stats),
    bounds: { overviewEveryMs: OVERVIEW_EVERY_MS, keyEveryMs: KEY_EVERY_MS, modelEveryMs: MODEL_EVERY_MS, anomaliesEveryMs: MODEL_EVERY_MS },
    chart: () => {
      const u = keyState.plot;
      return u ? { labels: u.series.map((s) => s.label), data: u.data, marks: keyState.marks } : null;
    }
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
