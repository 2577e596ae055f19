// Signs an approval (ARCHITECTURE §3.3) in this browser with the approver's own Ed25519 key and posts only the
// DSSE envelope. The key file is read with the File API and imported as a non-extractable WebCrypto key; neither
// the file nor the key is ever sent anywhere.
(function () {
  'use strict';
  var PAYLOAD_TYPE = 'application/vnd.airlock.approval.v1+json';
  var form = document.getElementById('sign-form');
  var result = document.getElementById('result');
  var enc = new TextEncoder();

  function b64(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s);
  }

  function pemToDer(pem) {
    var m = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(pem);
    if (!m) { throw new Error('not a PKCS#8 private key PEM (-----BEGIN PRIVATE KEY-----)'); }
    var raw = atob(m[1].replace(/\s+/g, ''));
    var der = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { der[i] = raw.charCodeAt(i); }
    return der;
  }

  // DSSE PAE: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes.
  function pae(type, body) {
    var t = enc.encode(type);
    var head = enc.encode('DSSEv1 ' + t.length + ' ' + type + ' ' + body.length + ' ');
    var out = new Uint8Array(head.length + body.length);
    out.set(head, 0);
    out.set(body, head.length);
    return out;
  }

  function show(text, cls) {
    result.textContent = text;
    result.className = 'result ' + (cls || '');
  }

  async function decide(decision) {
    var file = document.getElementById('keyfile').files[0];
    if (!file) { show('Choose your private key file first.', 'refused'); return; }
    var ticket = document.getElementById('ticket').value.trim();
    var approval = {
      schema: 'airlock.approval/v1',
      capsuleDigest: form.dataset.capsuleDigest,
      capsuleId: form.dataset.capsuleId,
      approver: form.dataset.approver,
      role: document.getElementById('role').value,
      decision: decision
    };
    if (ticket) { approval.ticket = ticket; }
    approval.decidedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    approval.basis = 'review';
    var payload = enc.encode(JSON.stringify(approval));
    var key;
    try {
      var der = pemToDer(await file.text());
      key = await crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
    } catch (e) {
      show('Cannot use this key file: ' + e.message, 'refused');
      return;
    }
    var sig = new Uint8Array(await crypto.subtle.sign('Ed25519', key, pae(PAYLOAD_TYPE, payload)));
    var envelope = {
      payloadType: PAYLOAD_TYPE,
      payload: b64(payload),
      signatures: [{ keyid: form.dataset.keyid, sig: b64(sig) }]
    };
    var resp = await fetch('/ui/capsules/' + encodeURIComponent(form.dataset.capsuleId) + '/decisions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(envelope)
    });
    var answer = await resp.json().catch(function () { return { outcome: 'refused', detail: 'HTTP ' + resp.status }; });
    if (answer.outcome === 'refused') {
      show('Refused: ' + (answer.reason || '') + ' — ' + (answer.detail || ''), 'refused');
      return;
    }
    show((answer.outcome === 'duplicate' ? 'Already recorded' : 'Recorded') + ': ' + answer.status
      + ' (' + answer.approvals + ' of ' + answer.required + ')', 'ok');
    document.getElementById('approval-count').textContent = answer.approvals + ' of ' + answer.required;
    var status = document.getElementById('status');
    status.textContent = answer.status;
    status.className = 'badge ' + answer.status;
  }

  function run(decision) {
    return function () {
      decide(decision).catch(function (e) { show('Signing failed: ' + e.message, 'refused'); });
    };
  }

  document.getElementById('approve').addEventListener('click', run('approve'));
  document.getElementById('reject').addEventListener('click', run('reject'));
}());
