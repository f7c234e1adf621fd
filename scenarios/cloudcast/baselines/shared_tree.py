"""A Steiner-tree heuristic: grow one tree from the source, each step attaching the destination
that is cheapest to reach from any region already in the tree (Takahashi-Matsuyama); every
partition follows that tree. Shows how much sharing hops is worth over per-destination paths."""

import heapq


def _distances_from(graph, sources):
    best = {node: 0.0 for node in sources}
    previous = {}
    queue = [(0.0, node) for node in sources]
    heapq.heapify(queue)
    while queue:
        dist, node = heapq.heappop(queue)
        if dist > best.get(node, float("inf")):
            continue
        for nxt, edge in graph[node].items():
            cand = dist + edge["cost"]
            if cand < best.get(nxt, float("inf")):
                best[nxt] = cand
                previous[nxt] = node
                heapq.heappush(queue, (cand, nxt))
    return best, previous


def search_algorithm(src, dsts, graph, num_partitions):
    parent = {src: None}
    remaining = [d for d in dsts if d != src]
    while remaining:
        best, previous = _distances_from(graph, list(parent))
        target = min(remaining, key=lambda d: (best.get(d, float("inf")), d))
        node = target
        while node not in parent:
            parent[node] = previous[node]
            node = previous[node]
        remaining = [d for d in remaining if d not in parent]
    paths = {}
    for dst in dsts:
        path = [dst]
        while path[-1] != src:
            path.append(parent[path[-1]])
        paths[dst] = [path[::-1] for _ in range(num_partitions)]
    return paths
