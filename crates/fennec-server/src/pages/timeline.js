// Fennec timeline page: logs in, then draws a project's timeline (one SVG
// row per group, its tasks on demand), its risks and its milestones from
// /fennec/projects/{id}/timeline and /risks. Plain JS, no dependencies.
//
// Rows are virtualised: the SVG is the size of the visible box and only the
// rows in view are drawn, so hundreds of groups (and an opened group of
// thousands of tasks) cost the same as ten.
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var TOKEN_KEY = 'fennec.access_token';
  var ROW_H = 30;
  var HEADER_H = 46;
  var LABEL_W = 420;
  var PAD_DAYS = 3;
  var RISK_PAGE = 100;
  var DAY_MS = 86400000;
  var ZOOM_PX = { day: 26, week: 9, month: 3 };
  var GROUP_BYS = ['sequence', 'episode', 'task_type', 'person', 'entity_type', 'entity'];
  var NO_GROUP = {
    sequence: 'No sequence',
    episode: 'No episode',
    task_type: 'No task type',
    person: 'Unassigned',
    entity_type: 'No entity type',
    entity: 'No shot or asset',
    project: 'No project'
  };
  var KIND_LABELS = {
    late: 'Late',
    will_slip: 'Will slip',
    over_estimate: 'Over estimate',
    not_started: 'Not started',
    overloaded: 'Overloaded',
    unassigned: 'Unassigned',
    missing_data: 'Missing data',
    milestone_slip: 'Milestone slip',
    project_end_slip: 'Project end slip'
  };
  var SEVERITY_RANK = { high: 2, medium: 1, low: 0 };
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  // The API lives where this page does: /api/fennec/timeline → /api/...,
  // /fennec/timeline → /... (Fennec answers both; a Kitsu-style proxy may
  // only forward one of them).
  var API = location.pathname.replace(/\/fennec\/timeline\/?$/, '');

  function $(id) { return document.getElementById(id); }

  var el = {
    message: $('message'),
    loginView: $('login-view'),
    loginForm: $('login-form'),
    loginEmail: $('login-email'),
    loginPassword: $('login-password'),
    loginSubmit: $('login-submit'),
    loginError: $('login-error'),
    appView: $('app-view'),
    who: $('who'),
    whoName: $('who-name'),
    logout: $('logout'),
    project: $('project'),
    asOf: $('as-of'),
    groupBy: $('group-by'),
    taskType: $('task-type'),
    severity: $('severity'),
    zoom: $('zoom'),
    sort: $('sort'),
    find: $('find'),
    onlyLate: $('only-late'),
    refresh: $('refresh'),
    status: $('status'),
    summary: $('timeline-summary'),
    gantt: $('gantt'),
    sizer: $('gantt-sizer'),
    svg: $('gantt-svg'),
    riskSummary: $('risk-summary'),
    riskCaption: $('risk-caption'),
    riskBody: document.querySelector('#risk-table tbody'),
    riskMore: $('risk-more'),
    milestoneBody: document.querySelector('#milestone-table tbody')
  };

  var state = {
    token: null,
    projects: [],
    taskTypes: [],
    persons: {},
    view: defaultView(),
    timeline: null,
    risks: null,
    // Task id → true for the tasks on the project end's critical path.
    critical: {},
    expanded: {},
    rows: [],
    focus: 0,
    range: null,
    pxPerDay: 4,
    riskShown: RISK_PAGE,
    taskCount: 0,
    // Sequence id → its episode's name, per project: sequence names repeat
    // from one episode to the next, and the timeline's keys carry no episode.
    episodes: { project: null, ofSequence: {} },
    load: null,
    frame: 0
  };

  // ---------------------------------------------------------------- dates

  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  function today() {
    var d = new Date();
    return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate());
  }

  function isDate(s) {
    return typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && !isNaN(dayOf(s));
  }

  // Days since 1970-01-01 (UTC), so that date maths ignores time zones.
  function dayOf(s) {
    return Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10)) / DAY_MS;
  }

  function dateOf(day) {
    var d = new Date(day * DAY_MS);
    return d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate());
  }

  function fmt(s) { return s || '—'; }

  // ------------------------------------------------------------ messages

  function showMessage(text, info) {
    el.message.textContent = text;
    el.message.className = info ? 'message info' : 'message';
    el.message.hidden = !text;
  }

  function setStatus(text) { el.status.textContent = text; }

  function bodyMessage(body) {
    if (!body || typeof body !== 'object') return '';
    if (typeof body.message === 'string') return body.message;
    if (typeof body.msg === 'string') return body.msg;
    if (typeof body.error === 'string') return body.error;
    return '';
  }

  function ApiError(status, body, what) {
    this.status = status;
    this.body = body;
    this.what = what;
    this.message = describe(status, body, what);
  }

  function describe(status, body, what) {
    var detail = bodyMessage(body);
    if (status === 0) return 'Cannot reach the Fennec server (' + what + '). Check your connection and try again.';
    if (status === 401) return 'Your session has expired or is no longer valid: please log in again.';
    if (status === 403) return "You are not in this project's team, so you cannot see its " + what + ' (403 Forbidden). Ask a production manager to add you.';
    if (status === 404) return 'Not found: the ' + what + ' does not exist (it may have been deleted).';
    if (status === 400) return 'The server refused the request for the ' + what + (detail ? ': ' + detail : '.');
    if (status >= 500) return 'The server failed while reading the ' + what + ' (error ' + status + '). Try again; if it persists, check the server log.';
    return 'Could not read the ' + what + ' (HTTP ' + status + (detail ? ': ' + detail : '') + ').';
  }

  // Zou answers a malformed or badly signed token with 422 {"msg": …}
  // (Flask-JWT-Extended), an expired or missing one with 401: both mean
  // "log in again".
  function isAuthFailure(status, body) {
    return status === 401 || (status === 422 && !!body && typeof body.msg === 'string');
  }

  async function apiGet(path, what, signal) {
    var res;
    try {
      res = await fetch(API + path, {
        headers: { Authorization: 'Bearer ' + state.token, Accept: 'application/json' },
        signal: signal
      });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError(0, null, what);
    }
    var body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (!res.ok) throw new ApiError(isAuthFailure(res.status, body) ? 401 : res.status, body, what);
    return body;
  }

  // ------------------------------------------------------------ the view

  function defaultView() {
    return {
      project: '',
      group_by: 'sequence',
      as_of: today(),
      task_type: '',
      severity: '',
      zoom: 'fit',
      sort: 'start',
      only_late: false,
      find: ''
    };
  }

  function readUrl() {
    var q = new URLSearchParams(location.search);
    var v = defaultView();
    if (q.get('project')) v.project = q.get('project');
    if (GROUP_BYS.indexOf(q.get('group_by')) >= 0) v.group_by = q.get('group_by');
    if (isDate(q.get('as_of'))) v.as_of = q.get('as_of');
    if (q.get('task_type')) v.task_type = q.get('task_type');
    if (['low', 'medium', 'high'].indexOf(q.get('severity')) >= 0) v.severity = q.get('severity');
    if (ZOOM_PX[q.get('zoom')]) v.zoom = q.get('zoom');
    if (['name', 'risk'].indexOf(q.get('sort')) >= 0) v.sort = q.get('sort');
    v.only_late = q.get('only_late') === '1';
    if (q.get('find')) v.find = q.get('find');
    return v;
  }

  // Today's date stays out of the URL, so a bookmark keeps meaning "now".
  function writeUrl() {
    var v = state.view;
    var q = new URLSearchParams();
    if (v.project) q.set('project', v.project);
    q.set('group_by', v.group_by);
    if (v.as_of !== today()) q.set('as_of', v.as_of);
    if (v.task_type) q.set('task_type', v.task_type);
    if (v.severity) q.set('severity', v.severity);
    if (v.zoom !== 'fit') q.set('zoom', v.zoom);
    if (v.sort !== 'start') q.set('sort', v.sort);
    if (v.only_late) q.set('only_late', '1');
    if (v.find) q.set('find', v.find);
    var url = location.pathname + '?' + q.toString();
    if (url !== location.pathname + location.search) history.replaceState(null, '', url);
  }

  function viewToControls() {
    var v = state.view;
    el.asOf.value = v.as_of;
    el.groupBy.value = v.group_by;
    el.severity.value = v.severity;
    el.zoom.value = v.zoom;
    el.sort.value = v.sort;
    el.onlyLate.checked = v.only_late;
    el.find.value = v.find;
    if (v.project) el.project.value = v.project;
    if (v.task_type) el.taskType.value = v.task_type;
  }

  // ------------------------------------------------------------- log in

  function showLogin(reason) {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    el.appView.hidden = true;
    el.who.hidden = true;
    el.loginView.hidden = false;
    el.loginError.textContent = '';
    showMessage(reason || '', false);
    setStatus('');
    el.loginEmail.focus();
  }

  async function login(event) {
    event.preventDefault();
    var email = el.loginEmail.value.trim();
    var password = el.loginPassword.value;
    if (!email || !password) {
      el.loginError.textContent = 'Enter your e-mail and password.';
      return;
    }
    el.loginSubmit.disabled = true;
    el.loginError.textContent = '';
    try {
      var res = await fetch(API + '/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ email: email, password: password })
      });
      var body = null;
      try { body = await res.json(); } catch (e) { body = null; }
      if (!res.ok || !body || !body.access_token) {
        if (body && body.too_many_failed_login_attemps) {
          el.loginError.textContent = 'Too many failed attempts: wait a minute, then try again.';
        } else if (body && body.login === false && !body.unactive) {
          el.loginError.textContent = 'Wrong e-mail or password.';
        } else {
          el.loginError.textContent = bodyMessage(body) || ('Log in failed (HTTP ' + res.status + ').');
        }
        return;
      }
      state.token = body.access_token;
      sessionStorage.setItem(TOKEN_KEY, state.token);
      el.loginPassword.value = '';
      showUser(body.user);
      await enterApp();
    } catch (e) {
      el.loginError.textContent = 'Cannot reach the Fennec server. Check your connection and try again.';
    } finally {
      el.loginSubmit.disabled = false;
    }
  }

  function personName(p) {
    if (!p) return '';
    return p.full_name || [p.first_name, p.last_name].filter(Boolean).join(' ') || p.email || '';
  }

  function showUser(user) {
    el.whoName.textContent = user ? 'Signed in as ' + personName(user) : '';
    el.who.hidden = false;
  }

  async function logout() {
    var token = state.token;
    if (state.load) state.load.abort();
    try {
      if (token) {
        await fetch(API + '/auth/logout', { headers: { Authorization: 'Bearer ' + token } });
      }
    } catch (e) { /* the token is dropped anyway */ }
    showLogin('You are logged out.');
    el.message.className = 'message info';
  }

  // Handles an error of a request: back to the log in form on 401.
  function failed(err) {
    if (err && err.name === 'AbortError') return;
    if (err instanceof ApiError && err.status === 401) {
      showLogin(err.message);
      return;
    }
    showMessage(err instanceof ApiError ? err.message : 'Unexpected error: ' + (err && err.message ? err.message : err));
    setStatus('');
  }

  // --------------------------------------------------------- the app

  async function enterApp() {
    el.loginView.hidden = true;
    el.appView.hidden = false;
    showMessage('');
    setStatus('Loading your projects…');
    try {
      var results = await Promise.all([
        apiGet('/data/projects', 'project list'),
        apiGet('/data/task-types', 'task types').catch(function () { return []; }),
        apiGet('/data/persons', 'people').catch(function () { return []; }),
        el.who.hidden || !el.whoName.textContent
          ? apiGet('/auth/authenticated', 'account').catch(function (e) {
            if (e instanceof ApiError && e.status === 401) throw e;
            return null;
          })
          : Promise.resolve(null)
      ]);
      var auth = results[3];
      if (auth && auth.user) showUser(auth.user);
      else el.who.hidden = false;
      state.projects = (results[0] || []).slice().sort(byName);
      state.taskTypes = (results[1] || []).slice().sort(byName);
      state.persons = {};
      (results[2] || []).forEach(function (p) { state.persons[p.id] = personName(p); });
    } catch (e) {
      failed(e);
      return;
    }
    fillProjects();
    fillTaskTypes();
    viewToControls();
    if (!state.view.project && state.projects.length === 1) {
      state.view.project = state.projects[0].id;
      el.project.value = state.view.project;
    }
    if (state.view.project) {
      await loadView();
    } else {
      clearData();
      setStatus(state.projects.length
        ? 'Choose a project to see its timeline.'
        : 'You are in no project team yet: there is nothing to show.');
      writeUrl();
    }
  }

  function byName(a, b) {
    return String(a.name || '').localeCompare(String(b.name || ''));
  }

  function option(value, text) {
    var o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    return o;
  }

  function fillProjects() {
    el.project.replaceChildren(option('', 'Choose a project…'));
    state.projects.forEach(function (p) { el.project.appendChild(option(p.id, p.name)); });
    var v = state.view.project;
    if (v && !state.projects.some(function (p) { return p.id === v; })) {
      // A deep link to a project not in the list: keep it, the API will
      // say why (not in the team, deleted).
      el.project.appendChild(option(v, 'Not in your projects (' + v.slice(0, 8) + '…)'));
    }
    el.project.value = v || '';
  }

  function currentProject() {
    var id = state.view.project;
    for (var i = 0; i < state.projects.length; i++) {
      if (state.projects[i].id === id) return state.projects[i];
    }
    return null;
  }

  function fillTaskTypes() {
    var project = currentProject();
    var allowed = project && Array.isArray(project.task_types) && project.task_types.length
      ? project.task_types
      : null;
    el.taskType.replaceChildren(option('', 'All task types'));
    state.taskTypes.forEach(function (t) {
      if (!allowed || allowed.indexOf(t.id) >= 0 || t.id === state.view.task_type) {
        el.taskType.appendChild(option(t.id, t.name));
      }
    });
    el.taskType.value = state.view.task_type || '';
  }

  function placeholderRow(text) {
    var tr = document.createElement('tr');
    cell(tr, text, 'empty').colSpan = 7;
    return tr;
  }

  function clearData() {
    state.timeline = null;
    state.risks = null;
    state.rows = [];
    el.summary.textContent = '';
    el.riskSummary.textContent = '';
    el.riskBody.replaceChildren(placeholderRow('Nothing loaded.'));
    el.milestoneBody.replaceChildren(placeholderRow('Nothing loaded.'));
    el.riskMore.hidden = true;
    layout();
  }

  function query(extra) {
    var v = state.view;
    var q = new URLSearchParams();
    q.set('as_of', v.as_of);
    if (v.task_type) q.set('task_type_id', v.task_type);
    Object.keys(extra || {}).forEach(function (k) { if (extra[k]) q.set(k, extra[k]); });
    return '?' + q.toString();
  }

  async function loadView() {
    writeUrl();
    if (!state.view.project) { clearData(); return; }
    if (state.load) state.load.abort();
    var ctl = new AbortController();
    state.load = ctl;
    var base = '/fennec/projects/' + encodeURIComponent(state.view.project);
    showMessage('');
    setStatus('Loading the timeline and risks as of ' + state.view.as_of + '…');
    el.gantt.setAttribute('aria-busy', 'true');
    try {
      var both = await Promise.all([
        apiGet(base + '/timeline' + query({ group_by: state.view.group_by }), 'timeline', ctl.signal),
        apiGet(base + '/risks' + query({ severity: state.view.severity }), 'risks', ctl.signal),
        state.view.group_by === 'sequence' ? loadEpisodes(state.view.project, ctl.signal) : null,
        // The critical path only highlights rows: the page works without it.
        apiGet(base + '/critical-path' + query(), 'critical path', ctl.signal).catch(function (e) {
          if (e && e.name === 'AbortError') throw e;
          return null;
        })
      ]);
      if (state.load !== ctl) return;
      state.timeline = both[0];
      state.risks = both[1];
      state.critical = criticalTasks(both[3]);
      state.riskShown = RISK_PAGE;
      computeRange();
      buildRows();
      layout(true);
      renderSummary();
      renderRisks();
      renderMilestones();
      var tl = state.timeline;
      setStatus('Showing ' + tl.groups.length + ' group' + plural(tl.groups.length) + ' (' + state.taskCount +
        ' task' + plural(state.taskCount) + ') and ' + state.risks.risks.length + ' risk' +
        plural(state.risks.risks.length) + ' as of ' + tl.as_of + '.');
    } catch (e) {
      if (state.load !== ctl) return;
      clearData();
      failed(e);
    } finally {
      if (state.load === ctl) {
        state.load = null;
        el.gantt.removeAttribute('aria-busy');
      }
    }
  }

  function plural(n) { return n === 1 ? '' : 's'; }

  // The tasks on the project end's critical path (the first target: the
  // project end comes first), as a set of task ids.
  function criticalTasks(answer) {
    var set = {};
    var target = answer && answer.targets && answer.targets[0];
    ((target && target.path) || []).forEach(function (p) { set[p.task_id] = true; });
    return set;
  }

  function isCritical(t) { return !!(t && state.critical && state.critical[t.task_id]); }

  function groupCritical(g) {
    return (g.tasks || []).filter(isCritical).length;
  }

  // ------------------------------------------------------------ timeline

  function groupKey(g) { return g.key ? g.key.id : '-'; }

  function groupLabel(g) {
    if (!g.key) return NO_GROUP[state.timeline.group_by] || 'None';
    var name = g.key.name || '(unnamed)';
    var episode = state.timeline.group_by === 'sequence' && state.episodes.ofSequence[g.key.id];
    return episode ? episode + ' / ' + name : name;
  }

  // Loads the episode of each sequence of the project, once per project;
  // without it the labels are the sequences' bare names.
  async function loadEpisodes(project, signal) {
    if (state.episodes.project === project) return;
    var base = '/data/projects/' + encodeURIComponent(project);
    try {
      var both = await Promise.all([
        apiGet(base + '/episodes', 'episodes', signal),
        apiGet(base + '/sequences', 'sequences', signal)
      ]);
      var names = {};
      both[0].forEach(function (e) { names[e.id] = e.name; });
      var of = {};
      both[1].forEach(function (s) { if (s.parent_id && names[s.parent_id]) of[s.id] = names[s.parent_id]; });
      state.episodes = { project: project, ofSequence: of };
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      state.episodes = { project: project, ofSequence: {} };
    }
  }

  function refName(r) { return r && r.name ? r.name : ''; }

  function taskLabel(t, groupBy) {
    var entity = refName(t.entity);
    var type = refName(t.task_type);
    if (groupBy === 'entity') return type || t.name || 'task';
    if (groupBy === 'task_type') return entity || t.name || 'task';
    return [entity, type].filter(Boolean).join(' / ') || t.name || 'task';
  }

  function computeRange() {
    var lo = Infinity;
    var hi = -Infinity;
    function see(s) {
      if (!s) return;
      var d = dayOf(s);
      if (d < lo) lo = d;
      if (d > hi) hi = d;
    }
    see(state.timeline.as_of);
    state.timeline.groups.forEach(function (g) {
      see(g.planned_start); see(g.planned_end); see(g.actual_start);
      see(g.actual_end); see(g.forecast_end);
    });
    milestones().forEach(function (m) { see(m.date); see(m.forecast); });
    if (hi - lo < 14) { hi = lo + 14; }
    state.range = { start: lo - PAD_DAYS, end: hi + PAD_DAYS + 1 };
  }

  function milestones() {
    return state.risks && Array.isArray(state.risks.milestones) ? state.risks.milestones : [];
  }

  function buildRows() {
    var rows = [];
    var v = state.view;
    var find = v.find.trim().toLowerCase();
    if (state.timeline) {
      var groups = state.timeline.groups;
      if (v.sort === 'name') {
        groups = groups.slice().sort(function (a, b) {
          return groupLabel(a).localeCompare(groupLabel(b), undefined, { numeric: true });
        });
      } else if (v.sort === 'risk') {
        groups = groups.slice().sort(function (a, b) { return (b.late - a.late) || (b.slipping - a.slipping); });
      }
      groups.forEach(function (g) {
        if (v.only_late && !(g.late || g.slipping)) return;
        if (find && groupLabel(g).toLowerCase().indexOf(find) < 0) return;
        rows.push({ group: g });
        if (state.expanded[groupKey(g)]) {
          g.tasks.forEach(function (t) { rows.push({ group: g, task: t }); });
        }
      });
    }
    state.rows = rows;
    if (state.focus >= rows.length) state.focus = Math.max(0, rows.length - 1);
  }

  function chartWidth() {
    return Math.max(200, el.gantt.clientWidth - LABEL_W);
  }

  // Sizes the scroll box and its content, then draws. `fresh`: a new
  // answer, so the view scrolls to the top and to the as-of date.
  function layout(fresh) {
    var n = state.rows.length;
    var wanted = HEADER_H + Math.max(n, 1) * ROW_H + 18;
    var most = Math.max(240, Math.round(window.innerHeight * 0.7));
    el.gantt.style.height = Math.min(wanted, most) + 'px';
    if (state.range) {
      var days = state.range.end - state.range.start;
      state.pxPerDay = state.view.zoom === 'fit'
        ? Math.max(0.5, (chartWidth() - 12) / days)
        : ZOOM_PX[state.view.zoom];
      el.sizer.style.width = Math.ceil(LABEL_W + days * state.pxPerDay) + 'px';
    } else {
      el.sizer.style.width = '100%';
    }
    el.sizer.style.height = (HEADER_H + n * ROW_H) + 'px';
    if (fresh) {
      el.gantt.scrollTop = 0;
      if (state.range && state.view.zoom !== 'fit') {
        var x = (dayOf(state.timeline.as_of) - state.range.start) * state.pxPerDay;
        el.gantt.scrollLeft = Math.max(0, x - chartWidth() / 3);
      } else {
        el.gantt.scrollLeft = 0;
      }
    }
    draw();
  }

  function requestDraw() {
    if (state.frame) return;
    state.frame = requestAnimationFrame(function () {
      state.frame = 0;
      draw();
    });
  }

  function node(name, attrs, parent, text) {
    var e = document.createElementNS(SVG_NS, name);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k) && attrs[k] !== undefined && attrs[k] !== null) {
        e.setAttribute(k, attrs[k]);
      }
    }
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  // Cuts `s` to about `px` pixels of 12-13px text.
  function clip(s, px, charPx) {
    var max = Math.floor(px / (charPx || 7));
    return s.length > max ? s.slice(0, Math.max(1, max - 1)) + '…' : s;
  }

  function draw() {
    var svg = el.svg;
    var W = el.gantt.clientWidth;
    var H = el.gantt.clientHeight;
    var sx = el.gantt.scrollLeft;
    var sy = el.gantt.scrollTop;
    if (W <= LABEL_W / 2 || H <= HEADER_H) return; // hidden: drawn when shown
    var hadFocus = svg.contains(document.activeElement);
    svg.setAttribute('width', W);
    svg.setAttribute('height', H);
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.replaceChildren();

    var defs = node('defs', {}, svg);
    var clipBody = node('clipPath', { id: 'gantt-clip-chart' }, defs);
    node('rect', { x: LABEL_W, y: 0, width: Math.max(0, W - LABEL_W), height: H }, clipBody);
    var clipLabel = node('clipPath', { id: 'gantt-clip-label' }, defs);
    node('rect', { x: 0, y: 0, width: LABEL_W - 3, height: H }, clipLabel);

    if (!state.timeline || !state.range) {
      node('text', { x: 16, y: 28, class: 'muted' }, svg,
        state.view.project ? 'Nothing to show.' : 'Choose a project to see its timeline.');
      return;
    }
    var range = state.range;
    var ppd = state.pxPerDay;
    function X(s) { return LABEL_W + (dayOf(s) - range.start) * ppd - sx; }
    var asOfX = X(state.timeline.as_of);
    var groupBy = state.timeline.group_by;

    // Bottom up: row tints, the grid (weekends when days are wide, weeks,
    // months), then each row's label and bars, then the date lines.
    var from = Math.max(0, Math.floor(sy / ROW_H));
    var to = Math.min(state.rows.length, Math.ceil((sy + H - HEADER_H) / ROW_H) + 1);
    var tints = node('g', { 'aria-hidden': 'true' }, svg);
    var i;
    for (i = from; i < to; i++) {
      var rs = rowState(state.rows[i].group, state.rows[i].task);
      var ry = HEADER_H + i * ROW_H - sy;
      node('rect', {
        x: 0, y: ry, width: W, height: ROW_H,
        class: 'row-bg' + (rs ? ' ' + rs : (i % 2 ? ' alt' : ''))
      }, tints);
      if (rs && !state.rows[i].task) node('rect', { x: 0, y: ry, width: 5, height: ROW_H, class: 'stripe ' + rs }, tints);
    }
    var chart = node('g', { 'clip-path': 'url(#gantt-clip-chart)', 'aria-hidden': 'true' }, svg);
    var first = Math.max(range.start, Math.floor(range.start + sx / ppd) - 1);
    var last = Math.min(range.end, Math.ceil(range.start + (sx + W - LABEL_W) / ppd) + 1);
    var d;
    for (d = first; d <= last; d++) {
      var date = new Date(d * DAY_MS);
      var wd = date.getUTCDay();
      var x = LABEL_W + (d - range.start) * ppd - sx;
      if (ppd >= 8 && (wd === 0 || wd === 6)) {
        node('rect', { x: x, y: HEADER_H, width: ppd, height: H - HEADER_H, class: 'weekend' }, chart);
      }
      if (date.getUTCDate() === 1) {
        node('line', { x1: x, y1: HEADER_H, x2: x, y2: H, class: 'grid month' }, chart);
      } else if (wd === 1 && ppd * 7 >= 24) {
        node('line', { x1: x, y1: HEADER_H, x2: x, y2: H, class: 'grid' }, chart);
      }
    }

    var rowsLayer = node('g', {}, svg);
    for (i = from; i < to; i++) {
      drawRow(rowsLayer, i, HEADER_H + i * ROW_H - sy, X, groupBy, W);
    }
    if (!state.rows.length) {
      node('text', { x: 16, y: HEADER_H + 20, class: 'muted' }, svg,
        state.timeline.groups.length ? 'No group matches the filters.' : 'This project has no tasks to show.');
    }

    // As-of line and milestones over the rows.
    var over = node('g', { 'clip-path': 'url(#gantt-clip-chart)' }, svg);
    milestones().forEach(function (m) {
      var mx = X(m.date);
      node('line', { x1: mx, y1: HEADER_H - 8, x2: mx, y2: H, class: 'milestone-line' }, over);
    });
    node('line', { x1: asOfX, y1: HEADER_H - 8, x2: asOfX, y2: H, class: 'asof-line' }, over);

    drawHeader(svg, X, first, last, W, asOfX);
    node('line', { x1: LABEL_W, y1: 0, x2: LABEL_W, y2: H, class: 'divider' }, svg);

    // Keep one row reachable with Tab even when the focused one scrolled away.
    var f = svg.querySelector('[data-index="' + state.focus + '"]');
    if (!f) {
      f = svg.querySelector('[data-index]');
      if (f) f.setAttribute('tabindex', '0');
    }
    if (hadFocus && f) f.focus({ preventScroll: true });
  }

  function drawHeader(svg, X, first, last, W, asOfX) {
    var range = state.range;
    var ppd = state.pxPerDay;
    var sx = el.gantt.scrollLeft;
    node('rect', { x: 0, y: 0, width: W, height: HEADER_H, class: 'header-bg' }, svg);
    var axis = node('g', { 'clip-path': 'url(#gantt-clip-chart)', 'aria-hidden': 'true' }, svg);
    var weekLabels = ppd * 7 >= 26;
    var dayLabels = ppd >= 20;
    for (var d = first; d <= last; d++) {
      var date = new Date(d * DAY_MS);
      var x = LABEL_W + (d - range.start) * ppd - sx;
      var dom = date.getUTCDate();
      var wd = date.getUTCDay();
      if (dom === 1 || d === first) {
        // Month label, kept in view while its month is.
        var monthEnd = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY_MS;
        var mx = Math.max(x, LABEL_W) + 4;
        var endX = LABEL_W + (monthEnd - range.start) * ppd - sx;
        var text = MONTHS[date.getUTCMonth()] + ' ' + date.getUTCFullYear();
        if (endX - mx > 64) {
          node('text', { x: mx, y: 15, class: 'axis-month' }, axis, text);
        } else if (endX - mx > 26) {
          node('text', { x: mx, y: 15, class: 'axis-month' }, axis, MONTHS[date.getUTCMonth()]);
        }
        if (dom === 1) node('line', { x1: x, y1: 0, x2: x, y2: HEADER_H, class: 'grid month' }, axis);
      }
      if (dayLabels) {
        node('text', { x: x + ppd / 2, y: 40, 'text-anchor': 'middle', class: wd === 0 || wd === 6 ? 'muted' : '' }, axis, String(dom));
      } else if (weekLabels && wd === 1) {
        node('line', { x1: x, y1: 22, x2: x, y2: HEADER_H, class: 'grid' }, axis);
        node('text', { x: x + 3, y: 40, class: 'muted' }, axis, String(dom));
      }
    }
    milestones().forEach(function (m) {
      var mx = X(m.date);
      var flag = node('g', {}, axis);
      node('path', {
        d: 'M' + mx + ' ' + (HEADER_H - 2) + ' l0 -12 l9 4 l-9 4 z',
        class: 'milestone-flag' + (m.slipping ? ' slipping' : '')
      }, flag);
      node('title', {}, flag, m.name + ': ' + m.date + (m.forecast ? ', forecast ' + m.forecast : ''));
    });
    // The as-of label sits left of the line when the line is near the end.
    if (asOfX >= LABEL_W && asOfX <= W) {
      var right = asOfX + 90 < W;
      node('text', {
        x: right ? asOfX + 4 : asOfX - 4,
        y: 28,
        'text-anchor': right ? 'start' : 'end',
        class: 'asof-label'
      }, axis, 'as of ' + state.timeline.as_of);
    }
    var corner = node('g', {}, svg);
    node('rect', { x: 0, y: 0, width: LABEL_W, height: HEADER_H, class: 'header-bg' }, corner);
    var gb = el.groupBy.options[el.groupBy.selectedIndex];
    var shown = 0;
    state.rows.forEach(function (r) { if (!r.task) shown += 1; });
    var total = state.timeline.groups.length;
    node('text', { x: 10, y: 18, class: 'group-name' }, corner,
      (gb ? gb.textContent : 'Group') + ' · ' + (shown === total ? total : shown + ' of ' + total) + ' group' + plural(total));
    node('text', { x: 24, y: 38, class: 'muted' }, corner, 'name');
    node('text', { x: 168, y: 38, class: 'muted' }, corner, 'done/tasks');
    node('text', { x: 276, y: 38, class: 'muted' }, corner, 'late · slipping');
    node('line', { x1: 0, y1: HEADER_H - 0.5, x2: W, y2: HEADER_H - 0.5, class: 'divider' }, svg);
  }

  function span(parent, x1, x2, y, h, cls, title) {
    if (x2 < x1) { var t = x1; x1 = x2; x2 = t; }
    var r = node('rect', { x: x1, y: y, width: Math.max(2, x2 - x1), height: h, class: cls }, parent);
    if (title) node('title', {}, r, title);
    return r;
  }

  function diamond(parent, x, cy, late, title) {
    var p = node('path', {
      d: 'M' + x + ' ' + (cy - 6) + ' l6 6 l-6 6 l-6 -6 z',
      class: 'marker' + (late ? ' late' : '')
    }, parent);
    if (title) node('title', {}, p, title);
  }

  // One day wide: a span that ends on D covers D.
  function spanEnd(X, s) { return X(s) + state.pxPerDay; }

  function rowState(g, t) {
    if (t) return t.late ? 'late' : (t.will_slip ? 'slipping' : '');
    return g.late ? 'late' : (g.slipping ? 'slipping' : '');
  }

  function drawRow(labels, i, y, X, groupBy, W) {
    var r = state.rows[i];
    var g = r.group;
    var t = r.task;
    var st = rowState(g, t);
    var asOf = state.timeline.as_of;

    var critical = t ? isCritical(t) : groupCritical(g) > 0;
    var row = node('g', {
      class: 'row ' + (t ? 'task-row' : 'group-row') + (st ? ' ' + st : '') + (critical ? ' critical' : ''),
      'data-index': i,
      'data-kind': t ? 'task' : 'group',
      'data-key': t ? t.task_id : groupKey(g),
      'data-state': st || 'ok',
      'data-critical': critical ? 'true' : 'false',
      tabindex: i === state.focus ? 0 : -1
    }, labels);

    // Transparent: the whole row is the click target; outlined on focus.
    node('rect', { x: 1.5, y: y + 1.5, width: W - 3, height: ROW_H - 3, class: 'focus-ring' }, row);

    var label;
    var labelBox = node('g', { 'clip-path': 'url(#gantt-clip-label)' }, row);
    var bars = node('g', { 'clip-path': 'url(#gantt-clip-chart)' }, row);
    var mid = y + ROW_H / 2;
    if (!t) {
      label = drawGroupLabel(labelBox, g, y, mid, st);
      row.setAttribute('role', 'button');
      row.setAttribute('aria-expanded', state.expanded[groupKey(g)] ? 'true' : 'false');
      var p = g.planned_start || g.planned_end;
      if (g.planned_start && g.planned_end) {
        span(bars, X(g.planned_start), spanEnd(X, g.planned_end), y + 5, 9, 'bar-planned');
      } else if (p) {
        span(bars, X(p), spanEnd(X, p), y + 5, 9, 'bar-planned');
      }
      if (g.actual_start) {
        var allDone = g.progress.done_tasks === g.progress.tasks;
        var end = allDone && g.actual_end ? spanEnd(X, g.actual_end) : X(asOf);
        span(bars, X(g.actual_start), end, y + 16, 9, 'bar-actual' + (allDone ? '' : ' open'));
      }
      var finished = g.progress.done_tasks === g.progress.tasks;
      // A finished group's end is its actual bar, and an incomplete
      // forecast's latest date is not the group's end: nothing to mark.
      if (g.forecast_end && !finished && g.complete) {
        var slip = g.planned_end && g.forecast_end > g.planned_end;
        if (slip) {
          node('line', {
            x1: spanEnd(X, g.planned_end), y1: y + 9.5, x2: spanEnd(X, g.forecast_end), y2: y + 9.5,
            class: 'slip-line'
          }, bars);
        }
        diamond(bars, spanEnd(X, g.forecast_end), mid, slip || g.late > 0);
      }
      if (!g.planned_start && !g.planned_end && !g.actual_start && !g.forecast_end) {
        node('text', { x: LABEL_W + 10, y: mid + 4, class: 'no-dates' }, bars, 'no dates');
      } else if (!g.complete) {
        var gEnd = [g.forecast_end, g.planned_end, g.planned_start, g.actual_start ? asOf : null]
          .filter(Boolean).sort().pop();
        node('text', { x: spanEnd(X, gEnd) + 10, y: mid + 4, class: 'no-dates' }, bars,
          'forecast incomplete');
      }
    } else {
      label = drawTaskLabel(labelBox, t, y, mid, st, groupBy);
      row.setAttribute('role', 'img');
      if (t.planned_start || t.planned_end) {
        var a = t.planned_start || t.planned_end;
        var b = t.planned_end || t.planned_start;
        span(bars, X(a), spanEnd(X, b), y + 6, 8, 'bar-planned');
      }
      if (t.actual_start) {
        var e = t.is_done && t.actual_end ? spanEnd(X, t.actual_end) : X(asOf);
        span(bars, X(t.actual_start), e, y + 16, 8, 'bar-actual' + (t.is_done ? '' : ' open'));
      }
      if (t.forecast_start && t.forecast_end && !t.is_done) {
        span(bars, X(t.forecast_start), spanEnd(X, t.forecast_end), y + 16, 8, 'bar-forecast');
      }
      if (t.forecast_end && !t.is_done) {
        diamond(bars, spanEnd(X, t.forecast_end), mid, t.late || t.will_slip);
      }
      var unassigned = !(t.assignees && t.assignees.length);
      if (!t.planned_start && !t.planned_end && !t.actual_start && !t.forecast_end) {
        node('text', { x: LABEL_W + 10, y: mid + 4, class: 'no-dates' }, bars,
          t.is_done ? 'done, no dates' : 'no dates, no forecast' + (unassigned ? ' (unassigned)' : ''));
      } else if (!t.is_done && !t.forecast_end) {
        var tEnd = [t.planned_end, t.planned_start, t.actual_start ? asOf : null].filter(Boolean).sort().pop();
        node('text', { x: spanEnd(X, tEnd) + 10, y: mid + 4, class: 'no-dates' }, bars,
          'no forecast' + (unassigned ? ' (unassigned)' : ''));
      }
    }
    row.setAttribute('aria-label', label);
    node('title', {}, row, label);
  }

  function drawGroupLabel(row, g, y, mid, st) {
    var open = !!state.expanded[groupKey(g)];
    var name = groupLabel(g);
    var p = g.progress;
    node('text', { x: 10, y: mid + 4, 'aria-hidden': 'true' }, row, open ? '▾' : '▸');
    node('text', { x: 24, y: mid + 4, class: 'group-name' }, row, clip(name, 138, 7.6));
    node('rect', { x: 168, y: mid - 3, width: 28, height: 6, class: 'progress-bg' }, row);
    node('rect', {
      x: 168, y: mid - 3, width: Math.round(28 * Math.min(1, p.ratio || 0)), height: 6,
      class: 'progress-fill'
    }, row);
    node('text', { x: 202, y: mid + 4, class: 'muted' }, row, p.done_tasks + '/' + p.tasks);
    var bx = 276;
    if (g.late) bx = badge(row, bx, mid, 'late', g.late + ' late');
    if (g.slipping) bx = badge(row, bx, mid, 'slipping', g.slipping + ' slipping');
    var onPath = groupCritical(g);
    if (onPath) badge(row, bx, mid, 'critical', 'critical');
    var parts = [name + ':', p.done_tasks + ' of ' + p.tasks + ' tasks done (' + Math.round((p.ratio || 0) * 100) + '%)'];
    if (g.late) parts.push(g.late + ' late');
    if (g.slipping) parts.push(g.slipping + ' slipping');
    if (onPath) parts.push(onPath + ' task' + plural(onPath) + ' on the critical path');
    parts.push('planned ' + fmt(g.planned_start) + ' → ' + fmt(g.planned_end));
    if (g.actual_start) parts.push('actual ' + g.actual_start + ' → ' + (p.done_tasks === p.tasks ? fmt(g.actual_end) : 'open'));
    parts.push('forecast end ' + fmt(g.forecast_end) + (g.complete ? '' : ' (incomplete: some open tasks have no forecast)'));
    parts.push(open ? 'tasks shown' : 'press Enter to show its tasks');
    return parts.join('; ');
  }

  function badge(row, x, mid, cls, text) {
    var label = node('text', { x: x + 4, y: mid + 4, class: 'badge-text' }, row, text);
    var w = (label.getComputedTextLength() || text.length * 7) + 8;
    row.insertBefore(node('rect', { x: x, y: mid - 8, width: w, height: 16, rx: 3, class: 'badge-bg ' + cls }), label);
    return x + w + 4;
  }

  function drawTaskLabel(row, t, y, mid, st, groupBy) {
    var name = taskLabel(t, groupBy);
    node('text', { x: 36, y: mid + 4, class: 'task-name' }, row, clip(name, 234, 6.8));
    var tag = t.is_done ? 'done' : (t.late ? 'late' : (t.will_slip ? 'slipping' : ''));
    if (tag) node('text', { x: 276, y: mid + 4, class: 'tag-' + tag }, row, tag.toUpperCase());
    var critical = isCritical(t);
    // Written, not only coloured: the path is the chain deciding the end.
    if (critical) node('text', { x: tag ? 336 : 276, y: mid + 4, class: 'tag-critical' }, row, 'CRITICAL');
    var who = (t.assignees || []).map(function (id) { return state.persons[id] || 'someone'; });
    var parts = [name + ':', tag || 'on time'];
    if (critical) parts.push('on the critical path');
    parts.push('planned ' + fmt(t.planned_start) + ' → ' + fmt(t.planned_end));
    if (t.actual_start) parts.push('actual ' + t.actual_start + ' → ' + (t.is_done ? fmt(t.actual_end) : 'open'));
    if (!t.is_done) parts.push('forecast ' + fmt(t.forecast_start) + ' → ' + fmt(t.forecast_end));
    parts.push(who.length ? 'assigned to ' + who.join(', ') : 'unassigned');
    return parts.join('; ');
  }

  // ------------------------------------------------ rows: mouse and keys

  function toggle(i, open) {
    var r = state.rows[i];
    if (!r) return;
    var k = groupKey(r.group);
    var isOpen = !!state.expanded[k];
    if (open === undefined) open = !isOpen;
    if (open === isOpen) return;
    if (open) state.expanded[k] = true;
    else delete state.expanded[k];
    // Keep the focus on the group row.
    var gi = i;
    buildRows();
    for (var j = 0; j < state.rows.length; j++) {
      if (!state.rows[j].task && groupKey(state.rows[j].group) === k) { gi = j; break; }
    }
    state.focus = gi;
    layout();
  }

  function focusRow(i) {
    if (!state.rows.length) return;
    i = Math.max(0, Math.min(state.rows.length - 1, i));
    state.focus = i;
    var top = i * ROW_H;
    var view = el.gantt.clientHeight - HEADER_H - 16;
    if (top < el.gantt.scrollTop) el.gantt.scrollTop = top;
    else if (top + ROW_H > el.gantt.scrollTop + view) el.gantt.scrollTop = top + ROW_H - view;
    draw();
    var f = el.svg.querySelector('[data-index="' + i + '"]');
    if (f) f.focus({ preventScroll: true });
  }

  function rowIndexOf(target) {
    var g = target && target.closest ? target.closest('[data-index]') : null;
    return g ? +g.getAttribute('data-index') : -1;
  }

  el.svg.addEventListener('click', function (e) {
    var i = rowIndexOf(e.target);
    if (i < 0) return;
    state.focus = i;
    if (!state.rows[i].task) toggle(i);
    else focusRow(i);
  });

  el.svg.addEventListener('keydown', function (e) {
    var i = rowIndexOf(e.target);
    if (i < 0) return;
    var r = state.rows[i];
    var page = Math.max(1, Math.floor((el.gantt.clientHeight - HEADER_H) / ROW_H) - 1);
    var handled = true;
    switch (e.key) {
      case 'ArrowDown': focusRow(i + 1); break;
      case 'ArrowUp': focusRow(i - 1); break;
      case 'PageDown': focusRow(i + page); break;
      case 'PageUp': focusRow(i - page); break;
      case 'Home': focusRow(0); break;
      case 'End': focusRow(state.rows.length - 1); break;
      case 'Enter':
      case ' ':
        if (!r.task) toggle(i);
        break;
      case 'ArrowRight':
        if (!r.task) toggle(i, true);
        break;
      case 'ArrowLeft':
        if (r.task) {
          var j = i;
          while (j > 0 && state.rows[j].task) j--;
          focusRow(j);
        } else {
          toggle(i, false);
        }
        break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });

  el.gantt.addEventListener('scroll', requestDraw);
  window.addEventListener('resize', function () { layout(); });

  // ------------------------------------------------------------ summary

  function item(parent, label, value, cls) {
    var s = document.createElement('span');
    s.className = 'item';
    s.appendChild(document.createTextNode(label + ' '));
    var b = document.createElement('strong');
    if (cls) b.className = cls;
    b.textContent = value;
    s.appendChild(b);
    parent.appendChild(s);
  }

  function renderSummary() {
    var groups = state.timeline.groups;
    var byPerson = state.timeline.group_by === 'person';
    var tasks = 0;
    var done = 0;
    var est = 0;
    var doneEst = 0;
    var late = 0;
    var slipping = 0;
    var end = null;
    var seen = {};
    groups.forEach(function (g) {
      if (g.forecast_end && (!end || g.forecast_end > end)) end = g.forecast_end;
      if (!byPerson) {
        tasks += g.progress.tasks;
        done += g.progress.done_tasks;
        est += g.progress.estimate_minutes;
        doneEst += g.progress.done_estimate_minutes;
        late += g.late;
        slipping += g.slipping;
        return;
      }
      // By person a shared task sits in each assignee's group: count it once.
      g.tasks.forEach(function (t) {
        if (seen[t.task_id]) return;
        seen[t.task_id] = true;
        tasks += 1;
        if (t.is_done) done += 1;
        if (t.late) late += 1;
        if (t.will_slip) slipping += 1;
      });
    });
    state.taskCount = tasks;
    el.summary.replaceChildren();
    var p = currentProject();
    item(el.summary, 'Project', p ? p.name : refName(state.timeline.project));
    item(el.summary, 'Groups', String(groups.length));
    // Rows carry no estimates, so by person only the task count is known.
    item(el.summary, 'Tasks done', done + ' / ' + tasks + (byPerson ? ''
      : ' (' + Math.round(100 * (est > 0 ? doneEst / est : (tasks ? done / tasks : 0))) + '% of ' +
        (est > 0 ? 'the estimate' : 'tasks') + ')'));
    item(el.summary, 'Late tasks', String(late), late ? 'late-text' : '');
    item(el.summary, 'Slipping tasks', String(slipping), slipping ? 'late-text' : '');
    item(el.summary, 'Forecast end', fmt(end));
    var pe = milestones().filter(function (m) { return m.kind === 'project_end'; })[0];
    if (pe) {
      item(el.summary, 'Project end', pe.date + (pe.slipping ? ' (will be missed)' : ' (on track)'),
        pe.slipping ? 'late-text' : 'ok-text');
    }
  }

  // -------------------------------------------------------------- risks

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    if (cls) td.className = cls;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function severityCell(tr, sev) {
    var td = document.createElement('td');
    var b = document.createElement('span');
    b.className = 'badge ' + sev;
    b.textContent = sev ? sev.charAt(0).toUpperCase() + sev.slice(1) : '—';
    td.appendChild(b);
    tr.appendChild(td);
  }

  function riskSubject(r) {
    if (r.task) {
      var entity = refName(r.task.entity);
      var type = refName(r.task.task_type);
      var where = [refName(r.task.episode), refName(r.task.sequence)].filter(Boolean).join(' / ');
      var name = [entity, type].filter(Boolean).join(' / ') || r.task.name || 'task';
      return where && entity ? where + ' · ' + name : name;
    }
    if (r.milestone) return 'Milestone: ' + r.milestone;
    if (r.person) return 'All work of ' + (r.person.name || 'someone');
    return '—';
  }

  function riskPerson(r) {
    if (r.person && r.person.name) return r.person.name;
    if (r.task && Array.isArray(r.task.assignees) && r.task.assignees.length) {
      return r.task.assignees.map(function (id) { return state.persons[id] || 'someone'; }).join(', ');
    }
    return r.task ? 'Unassigned' : '—';
  }

  function kindLabel(r) {
    var k = KIND_LABELS[r.kind] || r.kind;
    var missing = r.numbers && r.numbers.missing;
    if (r.kind === 'missing_data' && missing && missing.length) {
      k += ' (' + missing.map(function (m) { return m.replace('_', ' '); }).join(', ') + ')';
    }
    return k;
  }

  function sortedRisks() {
    return state.risks.risks.slice().sort(function (a, b) {
      var s = (SEVERITY_RANK[b.severity] || 0) - (SEVERITY_RANK[a.severity] || 0);
      if (s) return s;
      return ((b.numbers && b.numbers.slip_days) || 0) - ((a.numbers && a.numbers.slip_days) || 0);
    });
  }

  function renderRisks() {
    var risks = sortedRisks();
    var s = state.risks.summary || {};
    el.riskSummary.replaceChildren();
    var bySev = s.by_severity || {};
    item(el.riskSummary, 'Risks', String(risks.length));
    ['high', 'medium', 'low'].forEach(function (k) {
      item(el.riskSummary, k.charAt(0).toUpperCase() + k.slice(1), String(bySev[k] || 0), k === 'high' && bySev[k] ? 'late-text' : '');
    });
    var byKind = s.by_kind || {};
    Object.keys(byKind).sort().forEach(function (k) {
      item(el.riskSummary, KIND_LABELS[k] || k, String(byKind[k]));
    });
    item(el.riskSummary, 'Unassigned tasks', String(s.unassigned_tasks || 0));

    var shown = risks.slice(0, state.riskShown);
    var rows = shown.map(function (r) {
      var tr = document.createElement('tr');
      tr.className = 'risk ' + r.kind;
      tr.setAttribute('data-kind', r.kind);
      if (r.task_id) tr.setAttribute('data-task', r.task_id);
      severityCell(tr, r.severity);
      cell(tr, kindLabel(r));
      cell(tr, riskSubject(r));
      cell(tr, riskPerson(r));
      var n = r.numbers || {};
      cell(tr, fmt(n.due), 'date');
      cell(tr, fmt(n.forecast), 'date');
      cell(tr, n.slip_days === null || n.slip_days === undefined ? '—' : String(n.slip_days), 'num');
      return tr;
    });
    if (!rows.length) {
      rows.push(placeholderRow(state.view.severity
        ? 'No risk at this severity.'
        : 'No risk: nothing is late or expected to slip.'));
    }
    el.riskBody.replaceChildren.apply(el.riskBody, rows);
    el.riskCaption.textContent = risks.length > shown.length
      ? 'Risks, most severe first: ' + shown.length + ' of ' + risks.length + ' shown'
      : 'Risks, most severe first';
    el.riskMore.hidden = risks.length <= shown.length;
    el.riskMore.textContent = 'Show ' + Math.min(RISK_PAGE, risks.length - shown.length) + ' more risks';
  }

  function renderMilestones() {
    var rows = milestones().map(function (m) {
      var tr = document.createElement('tr');
      cell(tr, m.name);
      cell(tr, m.kind === 'project_end' ? 'Project end' : 'Milestone');
      cell(tr, m.date, 'date');
      cell(tr, fmt(m.forecast), 'date');
      cell(tr, m.slip_days === null || m.slip_days === undefined ? '—' : String(m.slip_days), 'num');
      cell(tr, m.done_tasks + ' / ' + m.tasks, 'num');
      var status = m.slipping ? 'Will be missed' : (m.complete ? 'On track' : 'On track so far');
      var td = cell(tr, status, m.slipping ? 'late-text' : 'ok-text');
      if (!m.complete) {
        td.textContent += ' (forecast incomplete: ' + m.unassigned_tasks + ' unassigned task' + plural(m.unassigned_tasks) + ')';
      }
      return tr;
    });
    if (!rows.length) rows.push(placeholderRow('No milestone and no project end date.'));
    el.milestoneBody.replaceChildren.apply(el.milestoneBody, rows);
  }

  // ------------------------------------------------------------ controls

  function changed(fn) {
    return function () {
      fn();
      writeUrl();
    };
  }

  el.loginForm.addEventListener('submit', login);
  el.logout.addEventListener('click', logout);
  el.refresh.addEventListener('click', function () { loadView(); });
  el.riskMore.addEventListener('click', function () {
    state.riskShown += RISK_PAGE;
    renderRisks();
  });
  document.getElementById('controls').addEventListener('submit', function (e) {
    e.preventDefault();
    loadView();
  });

  el.project.addEventListener('change', function () {
    state.view.project = el.project.value;
    state.view.task_type = '';
    state.expanded = {};
    state.focus = 0;
    fillTaskTypes();
    loadView();
  });
  el.asOf.addEventListener('change', function () {
    if (!isDate(el.asOf.value)) return;
    state.view.as_of = el.asOf.value;
    loadView();
  });
  el.groupBy.addEventListener('change', function () {
    state.view.group_by = el.groupBy.value;
    state.expanded = {};
    state.focus = 0;
    loadView();
  });
  el.taskType.addEventListener('change', function () {
    state.view.task_type = el.taskType.value;
    loadView();
  });
  el.severity.addEventListener('change', function () {
    state.view.severity = el.severity.value;
    loadView();
  });
  el.zoom.addEventListener('change', changed(function () {
    state.view.zoom = el.zoom.value;
    layout(true);
  }));
  el.sort.addEventListener('change', changed(function () {
    state.view.sort = el.sort.value;
    state.focus = 0;
    buildRows();
    layout(true);
  }));
  el.onlyLate.addEventListener('change', changed(function () {
    state.view.only_late = el.onlyLate.checked;
    state.focus = 0;
    buildRows();
    layout(true);
  }));
  el.find.addEventListener('input', changed(function () {
    state.view.find = el.find.value;
    state.focus = 0;
    buildRows();
    layout(true);
  }));

  // --------------------------------------------------------------- start

  state.view = readUrl();
  viewToControls();
  state.token = sessionStorage.getItem(TOKEN_KEY);
  if (state.token) {
    enterApp();
  } else {
    showLogin('');
  }
})();
