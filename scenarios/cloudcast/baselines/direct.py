"""Every partition goes straight from the source to each destination (one hop)."""


def search_algorithm(src, dsts, graph, num_partitions):
    return {dst: [[src, dst] for _ in range(num_partitions)] for dst in dsts}
