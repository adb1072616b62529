'use strict';
// A stand-in for the sd_notify addon (build/Release/proc_daemon_notify.node), loaded by the
// daemon through PROC_DAEMON_NOTIFY_ADDON: it keeps every datagram instead of sending it.
// `failWith` (an errno) makes the next `failFor` sends (every one, by default) fail with it.
const state = {
  sent: [],
  failWith: 0,
  failFor: Infinity,
  send(address, message) {
    if (state.failWith !== 0 && state.failFor > 0) {
      state.failFor--;
      return state.failWith;
    }
    state.sent.push({ address, message: message.toString('utf8') });
    return 0;
  },
};
module.exports = state;
