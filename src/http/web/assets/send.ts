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

  function enhance(form) {
    var rec = setupRecorder(form);
    var progress = $(form, 'progress');
    var status = $(form, '[data-upload-status]');
    var submit = $(form, 'button[type=submit]');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearErrors(form);
      var data = new FormData(form);
      var fields = (form.dataset.fields || '').split(',');
      var useText = data.get('source') === 'text';
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.dataset.upload);
      xhr.setRequestHeader('X-CSRF-Token', cookie('loa_csrf'));
      xhr.setRequestHeader('Accept', 'application/json');
      var body;
      if (useText) {
        var json = {};
        fields.forEach(function (f) { var v = data.get(f); if (v) json[f] = v; });
        json.text = String(data.get('text') || '').trim();
        json.voice = data.get('voice') || 'vi';
        if (!json.text) { fieldError(form, 'text', form.dataset.msgNeedText); return; }
        xhr.setRequestHeader('Content-Type', 'application/json');
        body = JSON.stringify(json);
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
      prepare(useText ? null : { blob: blob, name: name }).then(function (prepared) {
        if (!useText) {
          body = new FormData();
          fields.forEach(function (f) { var v = data.get(f); if (v) body.append(f, v); });
          if (prepared.processed) body.append('processed', 'true');
          body.append('file', prepared.blob, prepared.name);
        }
        send(xhr, body);
      });
    });

    // Before sending: on the edge profile the browser levels and encodes the recording (the Worker
    // runs no ffmpeg); on Node a long WAV is shrunk for a weak link. A browser that cannot, or a
    // processing that fails, sends the recording as it is, and says so.
    function prepare(item) {
      var mode = form.dataset.browserAudio;
      var audio = window.LoaAudio;
      if (!item || !mode || !audio) return Promise.resolve(item);
      var note = $(form, '[data-audio-note]');
      var can = audio.capable();
      if (!can.ok || (mode === 'shrink' && !audio.worthShrinking(item.blob, item.name))) {
        if (mode === 'process') { note.textContent = form.dataset.msgAudioWeak; note.hidden = false; }
        return Promise.resolve(item);
      }
      var urls = JSON.parse(form.dataset.ffmpeg);
      var base = item.name.replace(/\\.[^.]*$/, '') || 'ghi-am';
      function onProgress(stage, fraction) {
        if (stage === 'download') {
          status.textContent = form.dataset.msgAudioLoading + (fraction !== undefined ? ' ' + Math.round(fraction * 100) + '%' : '');
          progress.max = 100;
          progress.value = Math.round((fraction || 0) * 100);
        } else {
          status.textContent = mode === 'process' ? form.dataset.msgAudioProcessing : form.dataset.msgAudioShrinking;
          progress.removeAttribute('value');
        }
      }
      var work = mode === 'process'
        ? audio.processRecording(item.blob, item.name, JSON.parse(form.dataset.targets), urls, onProgress).then(function (made) {
            return { blob: made.mp3, name: base + '.mp3', processed: true };
          })
        : audio.shrinkToOpus(item.blob, item.name, urls, onProgress).then(function (small) {
            return small.size < item.blob.size ? { blob: small, name: base + '.ogg' } : item;
          });
      return work.catch(function () {
        if (mode === 'process') { note.textContent = form.dataset.msgAudioFailed; note.hidden = false; }
        return item;
      });
    }

    function send(xhr, body) {
      progress.value = 0;
      status.textContent = form.dataset.msgUploading;
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          progress.max = e.total;
          progress.value = e.loaded;
          status.textContent = form.dataset.msgUploading + ' ' + Math.round((100 * e.loaded) / e.total) + '%';
        }
      };
      xhr.onload = function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = {}; }
        if (xhr.status === 202 && answer.id) {
          progress.value = progress.max;
          status.textContent = form.dataset.msgUploaded;
          window.location.assign(form.dataset.next.replace('{id}', encodeURIComponent(answer.id)));
          return;
        }
        submit.disabled = false;
        progress.hidden = true;
        status.textContent = '';
        showProblem(form, answer);
      };
      xhr.onerror = function () {
        submit.disabled = false;
        progress.hidden = true;
        status.textContent = '';
        showProblem(form, {});
      };
      xhr.send(body);
    }
  }

  var forms = document.querySelectorAll('form[data-upload]');
  for (var i = 0; i < forms.length; i++) enhance(forms[i]);
})();
`;
