package io.harborai.worker.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The calls one {@link DispatchEngine} handed to its full lanes' queues ({@link
 * ProviderCalls#handOff}) and has not yet seen sent, oldest first.
 *
 * <p>Why a sweep: a handed-off call is sent by whichever thread frees a slot of its lane, so the
 * engine cannot know when. At each punctuation it forgets the calls sent since, takes back those
 * still queued past their deadline or behind an open breaker (a request's deadline and fallback are
 * decided on its stream thread), and asks every lane still holding some of its calls to send what it
 * can (a slot freed while no call ended, see {@link ProviderLane#sendWaiting}).
 *
 * <p>Owned by the engine's stream thread; the {@link ProviderCalls.Ready} states it reads are atomic.
 */
final class HandOffs {
    private final ArrayDeque<ProviderCalls.Ready> calls = new ArrayDeque<>();

    void add(ProviderCalls.Ready call) {
        calls.addLast(call);
    }

    /**
     * Forgets sent calls and takes back those due to be decided here again.
     *
     * @return the requests taken back, oldest first, with their unsent call undone ({@link
     *     ProviderCalls#undo}); the engine queues them again, where the usual rules answer them
     */
    List<PendingEntry> sweep(long nowMs) {
        if (calls.isEmpty()) {
            return List.of();
        }
        List<PendingEntry> back = new ArrayList<>();
        Set<ProviderLane> lanes = new HashSet<>();
        for (Iterator<ProviderCalls.Ready> it = calls.iterator(); it.hasNext(); ) {
            ProviderCalls.Ready call = it.next();
            if (!call.queued()) {
                it.remove();
            } else if ((nowMs >= call.entry.deadlineMs || call.lane.circuitOpen()) && call.reclaim()) {
                it.remove();
                call.lane.forget(call);
                ProviderCalls.undo(call.entry);
                back.add(call.entry);
            } else {
                lanes.add(call.lane);
            }
        }
        lanes.forEach(ProviderLane::sendWaiting);
        return back;
    }

    /** The task closes: no call still queued is sent (the next owner restores its request). */
    void close() {
        for (ProviderCalls.Ready call : calls) {
            if (call.reclaim()) {
                call.lane.forget(call);
                ProviderCalls.undo(call.entry); // never sent: not waited for at a hand-over
            }
        }
        calls.clear();
    }
}
