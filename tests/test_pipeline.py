import multiprocessing

from claimtrack import pipeline


def test_workers_results_come_in_input_order_with_a_bounded_number_of_inputs_taken_ahead():
    taken = []

    def inputs():
        for number in range(400):
            taken.append(number)
            yield number

    batch_size = 4
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pipeline.map_in_order(pool, abs, inputs(), batch_size, chunk_size=2)
        first = next(results)
        taken_before_first = len(taken)
        rest = list(results)
    assert [first, *rest] == list(range(400))
    # the batch being handed over and those kept in the workers, never the whole input
    assert taken_before_first == (pipeline.LOOKAHEAD_BATCHES + 1) * batch_size
