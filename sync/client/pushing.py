"""Pushing: the outbox sent in batches (pipelined once the server takes them in the
order sent), each operation leaving the outbox only once its answer is in; and the
audit rows not yet sent."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import NamedTuple

import httpx

from sync.protocol import AuditPush, AuditPushResponse, Op, PushRequest

from .answers import _answer, _check, _detail, _push_answer
from .errors import OutOfOrder, ServerError
from .port import SyncPort
from .result import Progress, SyncResult

PIPELINE = 3  # push batches on their way at once (SyncClient.push)


class _Pushed(NamedTuple):
    results: list[tuple[str, str, str]]  # (op id, status, reason) per operation
    ordered: bool  # PushResponse.ordered
    round_trips: int


class Pushing:
    """Mixed into SyncClient (client.py), whose _send and _check_stop it uses."""

    port: SyncPort
    push_batch: int
    should_stop: Callable[[], bool]
    _http: httpx.Client
    _connect: Callable[[], httpx.Client]

    def push(self, result: SyncResult | None = None, progress: Progress | None = None) -> SyncResult:
        """Send the outbox in batches, each acknowledged only when its answer arrives. Once the
        server says it applies batches in the order sent (PushResponse.ordered), the next batch
        goes before the last one's answer is in, naming it (`after`): the server works out one
        while it writes the other."""
        result = result or SyncResult()
        ordered = False
        flying: deque[tuple[list[Op], Future]] = deque()
        pool = ThreadPoolExecutor(PIPELINE, thread_name_prefix="waymark-push")
        # Batches sent ahead go on a client of their own, made when first needed and closed when
        # the push ends: a push that fails leaves no batch still waiting on the server in a
        # thread of this process. The first goes on the kept-alive connection.
        ahead: list[httpx.Client] = []
        try:
            while True:
                while len(flying) < (PIPELINE if ordered else 1) and not self.should_stop():
                    ops = self._next_batch(flying)
                    if not ops:
                        break
                    after = flying[-1][0][-1].op_id if flying else None
                    if after and not ahead:
                        ahead.append(self._connect())
                    http = ahead[0] if after else self._http
                    flying.append((ops, pool.submit(self._push_batch, http, ops, after)))
                if not flying:
                    self._check_stop()  # told to stop: every batch sent was settled first
                    return result
                ops, answer = flying.popleft()
                try:
                    response = answer.result()
                except OutOfOrder:  # its batch before did not arrive in time: every one before is answered now
                    result.round_trips += 1  # the 409
                    response = self._push_batch(self._http, ops, None)
                result.round_trips += response.round_trips
                ordered = response.ordered
                self._settle(ops, response.results, result)
                if progress:
                    progress("push", result.pushed)
        finally:
            # A failed batch ends the push; any sent after it is cut off (its answer is not needed: a
            # resend is answered as a duplicate), and its thread ends with it.
            for http in ahead:
                http.close()
            pool.shutdown(wait=False, cancel_futures=True)

    def _next_batch(self, flying: deque[tuple[list[Op], Future]]) -> list[Op]:
        """The next operations in the outbox not already on their way."""
        sent = {op.op_id for ops, _ in flying for op in ops}
        waiting = self.port.pending(self.push_batch * (len(flying) + 1))
        return [op for op in waiting if op.op_id not in sent][: self.push_batch]

    def _push_batch(self, http: httpx.Client, ops: list[Op], after: str | None) -> _Pushed:
        body = PushRequest(ops=ops, after=after).model_dump_json()
        trip = SyncResult()
        headers = {"Content-Type": "application/json"}
        if after:
            # Batches on their way together each on a connection of its own, closed after: the
            # server's processes take new connections as they come free, so the batches are worked
            # on side by side (two kept-alive connections could both sit with one busy process).
            headers["Connection"] = "close"
        response = self._send("POST", "/v1/push", trip, http, content=body, headers=headers)
        if response.status_code == 409 and after:
            raise OutOfOrder(_detail(response))
        results, ordered = _push_answer(_check(response))
        answered = {op_id for op_id, _, _ in results}
        if any(op.op_id not in answered for op in ops):
            raise ServerError("The server did not answer for every change sent; they stay queued.")
        return _Pushed(results, ordered, trip.round_trips)

    def _settle(self, ops: list[Op], results: list[tuple[str, str, str]], result: SyncResult) -> None:
        """The outbox after a batch's answer: acknowledged operations leave it, refused ones are set aside.
        Only the batch's own operations are settled: an answer naming others (a faulty server, a
        proxy's answer to an earlier push) says nothing about them; they stay in the outbox and go
        in a later batch."""
        sent = {op.op_id for op in ops}
        refused = {
            op_id: reason for op_id, status, reason in results if op_id in sent and (status == "refused" or reason)
        }
        done = [op.op_id for op in ops if op.op_id not in refused]
        self.port.acknowledge(done)
        if refused:
            self.port.reject(refused)
            result.refused.update(refused)
        result.pushed += len(done)

    def push_audit(self, result: SyncResult | None = None) -> SyncResult:
        """Send the audit rows not yet sent, oldest first; each is marked sent only
        once the server says it holds it. Nothing to send: no request."""
        result = result or SyncResult()
        if not hasattr(self.port, "audit_pending"):
            return result  # a port without an audit trail
        while True:
            self._check_stop()
            trail, rows = self.port.audit_pending(self.push_batch)
            if not rows:
                return result
            body = AuditPush(trail=trail, rows=rows).model_dump_json()
            response = self._send(
                "POST", "/v1/audit", result, content=body, headers={"Content-Type": "application/json"}
            )
            if response.status_code in (404, 405):
                return result  # a server older than audit rows: they stay unsent until it takes them
            answer = _answer(AuditPushResponse, _check(response))
            held = set(answer.held)
            self.port.audit_sent([r for r in rows if r.id in held])
            result.audited += len(held)
            result.audit_breaks.extend(answer.breaks)
            if not held & {r.id for r in rows}:
                raise ServerError("The server did not keep the audit rows sent; they stay queued.")
