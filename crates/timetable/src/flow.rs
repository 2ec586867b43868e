//! Maximum flow (Dinic's algorithm) on a small integer network.
//!
//! The scheduler's hard constraints are exactly a flow network (see `solve.rs`), so a maximum flow
//! is a timetable that meets as many required visits as can be met at all. Dinic's algorithm runs in
//! `O(E √V)` on such unit-capacity layered networks; for 60 ALTs and 200 schools over 16 weeks that
//! is a few milliseconds. Edges out of a node are tried in the order they were added, which is how
//! the caller expresses preferences (the main ALT first, preferred weekdays first) for free.

/// A flow network with integer capacities.
#[derive(Debug, Clone, Default)]
pub struct Network {
    head: Vec<usize>,
    next: Vec<usize>,
    to: Vec<usize>,
    cap: Vec<i64>,
}

const NONE: usize = usize::MAX;

impl Network {
    /// A network of `nodes` nodes and no edges.
    pub fn new(nodes: usize) -> Network {
        Network {
            head: vec![NONE; nodes],
            ..Network::default()
        }
    }

    /// Adds a node and returns its index.
    pub fn add_node(&mut self) -> usize {
        self.head.push(NONE);
        self.head.len() - 1
    }

    /// Adds an edge of capacity `cap` and returns its index (for [`Network::flow`]). Edges out of a
    /// node are explored in insertion order.
    pub fn add_edge(&mut self, from: usize, to: usize, cap: i64) -> usize {
        let index = self.to.len();
        // Forward edge, then its residual twin at index ^ 1. Prepending to the list would reverse
        // the insertion order, so the lists are reversed once before solving instead.
        for (a, b, c) in [(from, to, cap), (to, from, 0)] {
            let old = self.head.get(a).copied().unwrap_or(NONE);
            self.next.push(old);
            self.to.push(b);
            self.cap.push(c);
            if let Some(h) = self.head.get_mut(a) {
                *h = self.to.len() - 1;
            }
        }
        index
    }

    /// The flow currently on a forward edge.
    pub fn flow(&self, edge: usize) -> i64 {
        self.cap.get(edge ^ 1).copied().unwrap_or(0)
    }

    /// The (forward) edges out of a node with their head, in insertion order.
    fn adjacency(&self) -> Vec<Vec<usize>> {
        let mut adjacency = vec![Vec::new(); self.head.len()];
        for (node, list) in adjacency.iter_mut().enumerate() {
            let mut edge = self.head.get(node).copied().unwrap_or(NONE);
            while edge != NONE {
                list.push(edge);
                edge = self.next.get(edge).copied().unwrap_or(NONE);
            }
            list.reverse();
        }
        adjacency
    }

    /// Pushes as much flow as possible from `source` to `sink` and returns its value.
    pub fn max_flow(&mut self, source: usize, sink: usize) -> i64 {
        let adjacency = self.adjacency();
        let n = adjacency.len();
        let mut total = 0;
        let mut level = vec![u32::MAX; n];
        let mut cursor = vec![0usize; n];
        let mut queue = Vec::with_capacity(n);
        loop {
            // Breadth-first levels from the source.
            level.iter_mut().for_each(|l| *l = u32::MAX);
            if let Some(l) = level.get_mut(source) {
                *l = 0;
            }
            queue.clear();
            queue.push(source);
            let mut read = 0;
            while let Some(&node) = queue.get(read) {
                read += 1;
                let here = level.get(node).copied().unwrap_or(u32::MAX);
                for &edge in adjacency.get(node).map(Vec::as_slice).unwrap_or(&[]) {
                    let (Some(&to), Some(&cap)) = (self.to.get(edge), self.cap.get(edge)) else {
                        continue;
                    };
                    if cap > 0 {
                        if let Some(l) = level.get_mut(to) {
                            if *l == u32::MAX {
                                *l = here + 1;
                                queue.push(to);
                            }
                        }
                    }
                }
            }
            if level.get(sink).copied().unwrap_or(u32::MAX) == u32::MAX {
                return total;
            }
            cursor.iter_mut().for_each(|c| *c = 0);
            loop {
                let pushed = self.augment(&adjacency, &level, &mut cursor, source, sink);
                if pushed == 0 {
                    break;
                }
                total += pushed;
            }
        }
    }

    /// One augmenting path of the level graph by iterative depth-first search (unit pushes are
    /// enough here: every path in the scheduler's network crosses a capacity-1 edge).
    fn augment(
        &mut self,
        adjacency: &[Vec<usize>],
        level: &[u32],
        cursor: &mut [usize],
        source: usize,
        sink: usize,
    ) -> i64 {
        let mut path: Vec<usize> = Vec::new();
        let mut node = source;
        loop {
            if node == sink {
                let bottleneck = path
                    .iter()
                    .filter_map(|&e| self.cap.get(e).copied())
                    .min()
                    .unwrap_or(0);
                for &edge in &path {
                    if let Some(c) = self.cap.get_mut(edge) {
                        *c -= bottleneck;
                    }
                    if let Some(c) = self.cap.get_mut(edge ^ 1) {
                        *c += bottleneck;
                    }
                }
                return bottleneck;
            }
            let edges = adjacency.get(node).map(Vec::as_slice).unwrap_or(&[]);
            let here = level.get(node).copied().unwrap_or(u32::MAX);
            let mut advanced = false;
            while let Some(c) = cursor.get(node).copied() {
                let Some(&edge) = edges.get(c) else { break };
                let to = self.to.get(edge).copied().unwrap_or(NONE);
                let cap = self.cap.get(edge).copied().unwrap_or(0);
                if cap > 0 && level.get(to).copied() == Some(here.wrapping_add(1)) {
                    path.push(edge);
                    node = to;
                    advanced = true;
                    break;
                }
                if let Some(c) = cursor.get_mut(node) {
                    *c += 1;
                }
            }
            if !advanced {
                // Dead end: retreat one edge and skip it from now on.
                let Some(edge) = path.pop() else { return 0 };
                node = self.to.get(edge ^ 1).copied().unwrap_or(source);
                if let Some(c) = cursor.get_mut(node) {
                    *c += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_textbook_network_has_its_known_maximum() {
        // CLRS figure 26.1: the maximum flow is 23.
        let mut net = Network::new(6);
        for (a, b, c) in [
            (0, 1, 16),
            (0, 2, 13),
            (1, 3, 12),
            (2, 1, 4),
            (2, 4, 14),
            (3, 2, 9),
            (3, 5, 20),
            (4, 3, 7),
            (4, 5, 4),
        ] {
            net.add_edge(a, b, c);
        }
        assert_eq!(net.max_flow(0, 5), 23);
    }

    #[test]
    fn a_bipartite_matching_is_perfect_when_one_exists() {
        // Three ALT-days, three school-days, a perfect matching that needs one augmenting reroute.
        let mut net = Network::new(8);
        let mut ends = Vec::new();
        for i in 1..=3 {
            net.add_edge(0, i, 1);
            net.add_edge(i + 3, 7, 1);
        }
        for (a, b) in [(1, 4), (1, 5), (2, 4), (3, 5), (3, 6)] {
            ends.push(net.add_edge(a, b, 1));
        }
        assert_eq!(net.max_flow(0, 7), 3);
        let used: i64 = ends.iter().map(|&e| net.flow(e)).sum();
        assert_eq!(used, 3);
    }
}
