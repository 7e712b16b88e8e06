// Progressive enhancement of the "send announcement" and "add a language" forms: in-browser recording
// (MediaRecorder) and an upload with a real progress bar (XMLHttpRequest upload events) straight to the
// API. Without JavaScript the same forms post to the page routes and still work, minus recording and
// progress. Plain ES2017 without template literals: it is served from a TypeScript string.
export const sendJs = `
(function () {
  'use strict';
  function cookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var cut = parts[i].indexOf('=');
      if (parts[i].slice(0, cut) === name) return decodeURIComponent(parts[i].slice(cut + 1));
    }
    return '';
  }
  function $(root, sel) { return root.querySelector(sel); }

  function fieldError(form, name, message) {
    var id = name + '-error';
    var p = form.querySelector('#' + CSS.escape(id));
    var control = form.querySelector('[name="' + name + '"]');
    if (!p && control) {
      p = document.createElement('p');
      p.className = 'field-error';
      p.id = id;
      var holder = control.closest('.field') || control.parentNode;
      holder.appendChild(p);
      holder.classList.add('has-error');
      control.setAttribute('aria-describedby', ((control.getAttribute('aria-describedby') || '') + ' ' + id).trim());
    }
    if (p) p.textContent = message;
    if (control) control.setAttribute('aria-invalid', 'true');
    return !!p;
  }
  function clearErrors(form) {
    var old = form.querySelectorAll('.field-error');
    for (var i = 0; i < old.length; i++) old[i].textContent = '';
    var bad = form.querySelectorAll('[aria-invalid=true]');
    for (var j = 0; j < bad.length; j++) bad[j].removeAttribute('aria-invalid');
    var box = $(form, '[data-form-error]');
    box.hidden = true;
  }
  function showProblem(form, problem) {
    var vi = document.documentElement.lang !== 'en';
    var box = $(form, '[data-form-error]');
    var general = (vi ? problem.detailVi : problem.detail) || form.dataset.msgFailed;
    var errors = problem.errors || [];
    for (var i = 0; i < errors.length; i++) {
      var e = errors[i];
      var name = String(e.field || '').split(/[.\\[]/)[0];
      var text = (vi ? e.messageVi : e.message) || (vi ? problem.detailVi : problem.detail) || form.dataset.msgInvalid;
      if (name === 'form' || name === 'json' || !fieldError(form, name, text)) continue;
    }
    box.querySelector('p').textContent = general;
    box.hidden = false;
    box.focus();
  }

  function setupRecorder(form) {
    var panel = $(form, '[data-recorder]');
    if (!panel || !window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return null;
    panel.hidden = false;
    var start = $(panel, '[data-record]');
    var stop = $(panel, '[data-stop]');
    var again = $(panel, '[data-again]');
    var audio = $(panel, 'audio');
    var state = $(panel, '[data-record-state]');
    var rec = { blob: null };
    var recorder = null;
    var chunks = [];
    function begin() {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        chunks = [];
        rec.blob = null;
        audio.hidden = true;
        recorder = new MediaRecorder(stream);
        recorder.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          rec.blob = new Blob(chunks, { type: recorder.mimeType || 'audio/webm' });
          audio.src = URL.createObjectURL(rec.blob);
          audio.hidden = false;
          state.textContent = form.dataset.msgRecorded;
          start.hidden = true;
          stop.hidden = true;
          again.hidden = false;
        };
        recorder.start();
        state.textContent = form.dataset.msgRecording;
        start.hidden = true;
        again.hidden = true;
        stop.hidden = false;
        stop.focus();
      }, function () {
        state.textContent = form.dataset.msgMic;
      });
    }
    start.addEventListener('click', begin);
    again.addEventListener('click', begin);
    stop.addEventListener('click', function () { if (recorder && recorder.state !== 'inactive') recorder.stop(); });
    return rec;
  }

  // The longest an original may take to send after the version is ready: past it, on this link, it
  // is not sent (the processed MP3 airs anyway; a retry would need the recording sent again).
  var ORIGINAL_MAX_S = 120;
  var PROBLEM_NOT_PROCESSED = 'urn:loa:problem:not_processed';
  function megabytes(bytes) { return (bytes / 1e6).toFixed(1).replace('.', document.documentElement.lang === 'en' ? '.' : ',') + ' MB'; }

  function enhance(form) {
    var rec = setupRecorder(form);
    var progress = $(form, 'progress');
    var status = $(form, '[data-upload-status]');
    var note = $(form, '[data-audio-note]');
    var submit = $(form, 'button[type=submit]');
    // The audio bundle (about 80 KB) is fetched only once a recording is on its way: a text, or a
    // page left unused, costs nothing on a weak link.
    var audio = null;
    var audioLoad = null;
    function loadAudio() {
      if (!form.dataset.browserAudio || !form.dataset.audioScript) return Promise.resolve(null);
      if (!audioLoad) {
        audioLoad = new Promise(function (resolve) {
          var script = document.createElement('script');
          script.src = form.dataset.audioScript;
          script.onload = function () { resolve(window.LoaAudio || null); };
          script.onerror = function () { resolve(null); };
          document.head.appendChild(script);
        }).then(function (loaded) { audio = loaded; return loaded; });
      }
      return audioLoad;
    }
    var picker = form.querySelector('input[type=file]');
    if (picker) picker.addEventListener('change', loadAudio);
    function say(text) { note.textContent = text; note.hidden = false; }
    function fail(problem) {
      submit.disabled = false;
      progress.hidden = true;
      status.textContent = '';
      showProblem(form, problem || {});
    }
    function done(id) {
      progress.value = progress.max;
      status.textContent = form.dataset.msgUploaded;
      // What happened to the recording is said again on the next page, where the user lands.
      if (!note.hidden && note.textContent) sessionStorage.setItem('loa-note', note.textContent);
      window.location.assign(form.dataset.next.replace('{id}', encodeURIComponent(id)));
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearErrors(form);
      note.hidden = true;
      var data = new FormData(form);
      var fields = (form.dataset.fields || '').split(',');
      var useText = data.get('source') === 'text';
      if (useText) {
        var json = {};
        fields.forEach(function (f) { var v = data.get(f); if (v) json[f] = v; });
        json.text = String(data.get('text') || '').trim();
        json.voice = data.get('voice') || 'vi';
        if (!json.text) { fieldError(form, 'text', form.dataset.msgNeedText); return; }
      } else {
        var chosen = form.querySelector('input[type=file]');
        var file = chosen && chosen.files && chosen.files[0];
        var blob = file || (rec && rec.blob);
        if (!blob) { fieldError(form, 'file', form.dataset.msgNeedFile); return; }
        var type = blob.type || '';
        var name = file ? file.name : 'ghi-am.' + (type.indexOf('ogg') >= 0 ? 'ogg' : type.indexOf('mp4') >= 0 ? 'm4a' : 'webm');
      }
      submit.disabled = true;
      progress.hidden = false;
      progress.value = 0;
      if (useText) {
        post(form.dataset.upload, JSON.stringify(json), true).then(function (r) {
          if (r.status === 202 && r.answer.id) done(r.answer.id); else fail(r.answer);
        }, function () { fail({}); });
        return;
      }
      var item = { blob: blob, name: name };
      var language = String(data.get('language') || '');
      function formBody(prepared) {
        var body = new FormData();
        fields.forEach(function (f) { var v = data.get(f); if (v) body.append(f, v); });
        if (prepared.processed) body.append('processed', 'true');
        body.append('file', prepared.blob, prepared.name);
        return body;
      }
      loadAudio().then(function () { return prepare(item); }).then(function (prepared) {
        return post(form.dataset.upload, formBody(prepared)).then(function (r) {
          if (r.status === 202 && r.answer.id) {
            if (!prepared.processed) return done(r.answer.id);
            return keepOriginal(r.answer.id, language, item, r.bitsPerSecond).then(function () { done(r.answer.id); });
          }
          // The Worker measured the browser's MP3 off target: the recording goes to a processing node.
          if (prepared.processed && r.status === 422 && r.answer.type === PROBLEM_NOT_PROCESSED) {
            say(form.dataset.msgAudioRefused);
            return asOriginal(item, r.bitsPerSecond).then(function (original) {
              return post(form.dataset.upload, formBody(original));
            }).then(function (again) {
              if (again.status === 202 && again.answer.id) done(again.answer.id); else fail(again.answer);
            });
          }
          fail(r.answer);
        });
      }).catch(function () { fail({}); });
    });

    // Before sending: on the edge profile the browser levels and encodes the recording (the Worker
    // runs no ffmpeg); on Node a long WAV is shrunk for a weak link. A browser that cannot, or a
    // processing that fails, sends the recording as it is, and says so.
    function prepare(item) {
      var mode = form.dataset.browserAudio;
      if (!mode || !audio) return Promise.resolve(item);
      if (mode === 'shrink') return asOriginal(item);
      var can = audio.capable();
      if (!can.ok) {
        say(form.dataset.msgAudioWeak);
        return asOriginal(item);
      }
      var urls = JSON.parse(form.dataset.ffmpeg);
      var base = item.name.replace(/\\.[^.]*$/, '') || 'ghi-am';
      function onProgress(stage, fraction) {
        if (stage === 'download') {
          status.textContent = form.dataset.msgAudioLoading + (fraction !== undefined ? ' ' + Math.round(fraction * 100) + '%' : '');
          progress.max = 100;
          progress.value = Math.round((fraction || 0) * 100);
        } else {
          status.textContent = form.dataset.msgAudioProcessing;
          progress.removeAttribute('value');
        }
      }
      return audio.processRecording(item.blob, item.name, JSON.parse(form.dataset.targets), urls, onProgress).then(function (made) {
        return { blob: made.mp3, name: base + '.mp3', processed: true };
      }, function () {
        say(form.dataset.msgAudioFailed);
        return asOriginal(item);
      });
    }

    // The recording as the server gets it: a long WAV shrunk to Opus by the browser's own encoder when
    // the estimate says that saves time on this link, else as it is.
    function asOriginal(item, bitsPerSecond) {
      if (!audio || !audio.worthShrinking(item.blob, item.name)) return Promise.resolve(item);
      return audio.canShrink().then(function (can) {
        if (!can) return item;
        status.textContent = form.dataset.msgAudioShrinking;
        progress.max = 100;
        return audio.shrinkToOpus(item.blob, audio.linkBitsPerSecond(bitsPerSecond), function (f) {
          progress.value = Math.round(f * 100);
        }).then(function (made) {
          if (made.kind !== 'shrunk' || made.blob.size >= item.blob.size) return item;
          return { blob: made.blob, name: (item.name.replace(/\\.[^.]*$/, '') || 'ghi-am') + '.ogg' };
        });
      }).catch(function () { return item; });
    }

    // After the MP3 made the version ready: its original is sent to be kept, when the link allows.
    function keepOriginal(id, language, item, bitsPerSecond) {
      if (!form.dataset.original) return Promise.resolve();
      if (audio.linkIsPoor()) { say(form.dataset.msgOriginalSkipped); return Promise.resolve(); }
      status.textContent = form.dataset.msgReadyKeeping;
      return asOriginal(item, bitsPerSecond).then(function (original) {
        var rate = audio.linkBitsPerSecond(bitsPerSecond);
        if ((original.blob.size * 8) / rate > ORIGINAL_MAX_S) { say(form.dataset.msgOriginalSkipped); return; }
        var body = new FormData();
        body.append('file', original.blob, original.name);
        var url = form.dataset.original.replace('{id}', encodeURIComponent(id)).replace('{language}', encodeURIComponent(language));
        status.textContent = form.dataset.msgReadyKeeping;
        return post(url, body, false, form.dataset.msgReadyKeeping).then(function (r) {
          say(r.status === 201
            ? form.dataset.msgOriginalKept.replace('{size}', megabytes(original.blob.size))
            : form.dataset.msgOriginalFailed);
        });
      }).catch(function () { say(form.dataset.msgOriginalFailed); });
    }

    // One request with the upload's progress; answers its status, its JSON and the rate it went at.
    function post(url, body, isJson, label) {
      return new Promise(function (resolve, reject) {
        var xhr = new XMLHttpRequest();
        var began = 0;
        var bytes = 0;
        var seconds = 0;
        xhr.open('POST', url);
        xhr.setRequestHeader('X-CSRF-Token', cookie('loa_csrf'));
        xhr.setRequestHeader('Accept', 'application/json');
        if (isJson) xhr.setRequestHeader('Content-Type', 'application/json');
        // The page's one-time key: a send pressed again after a dropped link finds what the first made.
        var onceKey = form.elements.namedItem('idempotencyKey');
        if (onceKey && url === form.dataset.upload) xhr.setRequestHeader('Idempotency-Key', onceKey.value);
        progress.value = 0;
        status.textContent = label || form.dataset.msgUploading;
        xhr.upload.onprogress = function (e) {
          if (!began) began = performance.now();
          if (e.lengthComputable) {
            progress.max = e.total;
            progress.value = e.loaded;
            bytes = e.loaded;
            status.textContent = (label || form.dataset.msgUploading) + ' ' + Math.round((100 * e.loaded) / e.total) + '%';
          }
        };
        xhr.upload.onload = function () { seconds = (performance.now() - began) / 1000; };
        xhr.onload = function () {
          var answer = {};
          try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = {}; }
          // Measured on uploads long enough to say something about the link.
          var rate = seconds > 1 && bytes > 0 ? (bytes * 8) / seconds : undefined;
          resolve({ status: xhr.status, answer: answer, bitsPerSecond: rate });
        };
        xhr.onerror = function () { reject(new Error('network')); };
        xhr.send(body);
      });
    }
  }

  var flash = sessionStorage.getItem('loa-note');
  if (flash) {
    sessionStorage.removeItem('loa-note');
    var shown = document.createElement('p');
    shown.className = 'notice';
    shown.setAttribute('role', 'status');
    shown.setAttribute('data-flash-note', '');
    shown.textContent = flash;
    var main = document.querySelector('main') || document.body;
    main.insertBefore(shown, main.firstChild);
  }

  var forms = document.querySelectorAll('form[data-upload]');
  for (var i = 0; i < forms.length; i++) enhance(forms[i]);
})();
`;
