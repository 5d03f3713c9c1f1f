"""Issue 21 (worker memory at scale 10): the kept-aggregates store computes a
figure once when a worker's threads ask for it at once (each computation holds
tens of MBs while it runs), and after a request that computed one, gives the
freed memory back to the system once the response is sent."""
from __future__ import annotations

import threading
import time

import pytest
from flask import current_app

from portal.core import aggregates
from portal.core.aggregates import KeptAggregates

THREADS = 4


@pytest.fixture
def one_version(monkeypatch):
    """The store against a fixed data version (the version's own reads are tested
    in test_kept_aggregates.py): here only the store's threads matter."""
    monkeypatch.setattr(aggregates, "_request_version", lambda _session: "7")


def ask_at_once(store: KeptAggregates, compute) -> list:
    """THREADS threads ask for one key; the first computation waits until all of them asked."""
    arrived = [threading.Event() for _ in range(THREADS)]
    answers: list = [None] * THREADS

    def slow():
        for event in arrived:
            event.wait(5)
        time.sleep(0.2)  # the others are now inside get()
        return compute()

    def ask(index: int):
        arrived[index].set()
        try:
            answers[index] = store.get(None, ("figure",), slow)
        except RuntimeError as error:
            answers[index] = error

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return answers


def test_threads_asking_for_one_figure_at_once_compute_it_once(one_version):
    store = KeptAggregates()
    calls = []
    answers = ask_at_once(store, lambda: calls.append(1) or {"routes": 12})
    assert answers == [{"routes": 12}] * THREADS
    assert len(calls) == 1 and store.computed == 1
    assert all(answer is answers[0] for answer in answers)  # the one kept value
    assert store._flights == {}


def test_a_failed_computation_lets_the_waiting_threads_compute_it(one_version):
    store = KeptAggregates()
    calls = []

    def compute():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database gone")
        return 5

    answers = ask_at_once(store, compute)
    assert sorted(map(str, answers)) == ["5"] * (THREADS - 1) + ["database gone"]
    assert len(calls) == 2  # the first failed; the next computed it for the rest
    assert store._flights == {}


def test_the_control_without_the_store_every_thread_computes(one_version):
    """The control: disabled, the same threads compute the figure each."""
    store = KeptAggregates(enabled=False)
    calls = []
    ask_at_once(store, lambda: calls.append(1))
    assert len(calls) == THREADS


def test_memory_is_given_back_once_after_a_request_that_computed_figures(app, client, db_session, reference_data,
                                                                       monkeypatch):
    trims = []
    monkeypatch.setattr(aggregates, "_malloc_trim", trims.append)
    assert aggregates._trim_when_sent in app.after_request_funcs[None]  # glibc, as in production
    current_app.extensions["kept_aggregates"].clear()
    response = client.get("/kaart/dashboard")
    assert response.status_code == 200
    response.close()
    assert trims == [0]
    response = client.get("/kaart/dashboard")  # kept: nothing computed, nothing to give back
    response.close()
    assert trims == [0]
