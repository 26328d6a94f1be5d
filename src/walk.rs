//! Walks over directed graphs given as adjacency lists (`adj[v]` lists the
//! nodes `v` has an edge to, in a meaningful order): strongly connected
//! components, depth-first order with the cycles met, longest paths, the
//! nodes reachable from each node and the shortest cycle through a node.
//!
//! Every walk is iterative, so a deep graph cannot overflow the stack, and
//! visits nodes and edges in a fixed order (nodes by index, edges as listed),
//! so that what is derived from it (messages, orders) is reproducible.
//!
//! Time: [`components`], [`depth_first`] and [`longest_paths`] are
//! O(nodes + edges) (plus the size of the cycles reported);
//! [`descendants`] is O(nodes + edges + the size of its answer × the
//! out-degree); [`shortest_cycle`] is O(nodes + edges) of the part walked.

/// The strongly connected components of a graph.
#[derive(Clone, Debug)]
pub struct Components {
    /// Per node, its component. Components are numbered in the order their
    /// walk completes, so an edge from `u` to `v` in another component has
    /// `of[v] < of[u]`: increasing numbers are a reverse topological order.
    pub of: Vec<usize>,
    /// Per component, its nodes in increasing order.
    pub members: Vec<Vec<usize>>,
    /// Per component, whether it holds a cycle (two nodes or more, or one
    /// node with an edge to itself).
    pub cyclic: Vec<bool>,
}

impl Components {
    /// Whether `v` lies on a cycle.
    pub fn on_cycle(&self, v: usize) -> bool {
        self.of
            .get(v)
            .and_then(|c| self.cyclic.get(*c))
            .copied()
            .unwrap_or(false)
    }

    /// Whether `u` and `v` lie in one component.
    pub fn same(&self, u: usize, v: usize) -> bool {
        self.of.get(u).is_some_and(|c| self.of.get(v) == Some(c))
    }
}

/// Edges out of `v` (none for a node outside the graph).
fn out(adj: &[Vec<usize>], v: usize) -> &[usize] {
    adj.get(v).map(Vec::as_slice).unwrap_or(&[])
}

fn put<T>(v: &mut [T], i: usize, x: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = x;
    }
}

/// Tarjan's strongly connected components, without recursion.
/// Edges to nodes outside `0..adj.len()` are ignored.
pub fn components(adj: &[Vec<usize>]) -> Components {
    const NONE: usize = usize::MAX;
    let n = adj.len();
    let mut index = vec![NONE; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut of = vec![NONE; n];
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut cyclic: Vec<bool> = Vec::new();
    let mut next = 0usize;
    // The walk: (node, index of the next edge to follow).
    let mut calls: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index.get(root) != Some(&NONE) {
            continue;
        }
        calls.push((root, 0));
        while let Some((v, e)) = calls.pop() {
            if e == 0 {
                put(&mut index, v, next);
                put(&mut low, v, next);
                next += 1;
                stack.push(v);
                put(&mut on_stack, v, true);
            }
            if let Some(&w) = out(adj, v).get(e) {
                calls.push((v, e + 1));
                if w >= n {
                    continue;
                }
                if index.get(w) == Some(&NONE) {
                    calls.push((w, 0));
                } else if on_stack.get(w).copied().unwrap_or(false) {
                    let lw = index.get(w).copied().unwrap_or(NONE);
                    if let Some(lv) = low.get_mut(v) {
                        *lv = (*lv).min(lw);
                    }
                }
                continue;
            }
            // All edges of `v` followed.
            let (iv, lv) = (
                index.get(v).copied().unwrap_or(NONE),
                low.get(v).copied().unwrap_or(NONE),
            );
            if lv == iv {
                let c = members.len();
                let mut group = Vec::new();
                while let Some(w) = stack.pop() {
                    put(&mut on_stack, w, false);
                    put(&mut of, w, c);
                    group.push(w);
                    if w == v {
                        break;
                    }
                }
                group.sort_unstable();
                let is_cycle = group.len() > 1 || out(adj, v).contains(&v);
                members.push(group);
                cyclic.push(is_cycle);
            }
            if let Some(&(parent, _)) = calls.last() {
                if let Some(lp) = low.get_mut(parent) {
                    *lp = (*lp).min(lv);
                }
            }
        }
    }
    Components {
        of,
        members,
        cyclic,
    }
}

/// A depth-first walk from every node in turn (by index), following edges
/// in their listed order. Returns the nodes in post-order (each after every
/// node it reaches, when there is no cycle: a topological order with
/// dependencies first) and the cycles met: on each edge back to a node still
/// being walked, the nodes of the walk from that node to the current one,
/// unless one of them is already in a cycle returned.
pub fn depth_first(adj: &[Vec<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    let n = adj.len();
    // 0: not seen, 1: being walked, 2: done.
    let mut state = vec![0u8; n];
    // Per node being walked, its position on the walk.
    let mut at = vec![0usize; n];
    let mut in_cycle = vec![false; n];
    // Positions on the walk of nodes in a returned cycle, increasing.
    let mut marked: Vec<usize> = Vec::new();
    let mut order = Vec::with_capacity(n);
    let mut cycles = Vec::new();
    let mut walk: Vec<(usize, usize)> = Vec::new();
    for start in 0..n {
        if state.get(start) != Some(&0) {
            continue;
        }
        put(&mut state, start, 1);
        put(&mut at, start, 0);
        walk.push((start, 0));
        while let Some(&(node, e)) = walk.last() {
            match out(adj, node).get(e).copied() {
                Some(next) => {
                    if let Some(top) = walk.last_mut() {
                        top.1 += 1;
                    }
                    match state.get(next) {
                        Some(0) => {
                            put(&mut state, next, 1);
                            put(&mut at, next, walk.len());
                            walk.push((next, 0));
                        }
                        Some(1) => {
                            let from = at.get(next).copied().unwrap_or(0);
                            // A node of the walk from `from` on already in a cycle?
                            if marked.last().is_some_and(|m| *m >= from) {
                                continue;
                            }
                            let cycle: Vec<usize> = walk
                                .get(from..)
                                .unwrap_or_default()
                                .iter()
                                .map(|(x, _)| *x)
                                .collect();
                            for (k, x) in cycle.iter().enumerate() {
                                if !in_cycle.get(*x).copied().unwrap_or(true) {
                                    put(&mut in_cycle, *x, true);
                                    marked.push(from + k);
                                }
                            }
                            cycles.push(cycle);
                        }
                        _ => {}
                    }
                }
                None => {
                    walk.pop();
                    if marked.last() == Some(&walk.len()) {
                        marked.pop();
                    }
                    put(&mut state, node, 2);
                    order.push(node);
                }
            }
        }
    }
    (order, cycles)
}

/// Per node, the number of edges of the longest path leaving it, or `None`
/// when a cycle is reachable from it (paths are then unbounded).
pub fn longest_paths(adj: &[Vec<usize>]) -> Vec<Option<usize>> {
    let comps = components(adj);
    let mut depth: Vec<Option<usize>> = vec![None; adj.len()];
    // Components in increasing number: every successor comes first.
    for (c, nodes) in comps.members.iter().enumerate() {
        if comps.cyclic.get(c).copied().unwrap_or(true) {
            continue;
        }
        for &v in nodes {
            let mut d = Some(0);
            for &w in out(adj, v).iter().filter(|w| **w < adj.len()) {
                d = match (d, depth.get(w).copied().flatten()) {
                    (Some(a), Some(b)) => Some(a.max(b + 1)),
                    _ => None,
                };
            }
            put(&mut depth, v, d);
        }
    }
    depth
}

/// Per node, the nodes reachable from it by one edge or more, itself left
/// out, in increasing order. Sets are built once per component, successors
/// first, each from its successors' sets.
pub fn descendants(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let comps = components(adj);
    // Per component: every node reachable from its nodes by one edge or more.
    let mut reach: Vec<Vec<usize>> = Vec::with_capacity(comps.members.len());
    // Which component last added each node to its set.
    let mut stamp = vec![usize::MAX; n];
    for (c, nodes) in comps.members.iter().enumerate() {
        let mut set: Vec<usize> = Vec::new();
        if comps.cyclic.get(c).copied().unwrap_or(false) {
            for &v in nodes {
                put(&mut stamp, v, c);
                set.push(v);
            }
        }
        for &v in nodes {
            for &w in out(adj, v) {
                if stamp.get(w).is_none_or(|s| *s == c) {
                    // Outside the graph, or already in: what `w` reaches is too.
                    continue;
                }
                put(&mut stamp, w, c);
                set.push(w);
                let wc = comps.of.get(w).copied().unwrap_or(usize::MAX);
                for &x in reach.get(wc).map(Vec::as_slice).unwrap_or(&[]) {
                    if stamp.get(x).is_some_and(|s| *s != c) {
                        put(&mut stamp, x, c);
                        set.push(x);
                    }
                }
            }
        }
        set.sort_unstable();
        reach.push(set);
    }
    // A node alone in its component takes its component's set (it is not
    // in it); the nodes of a cycle each take a copy without themselves.
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (c, set) in reach.into_iter().enumerate() {
        match comps.members.get(c).map(Vec::as_slice) {
            Some(&[v]) if !comps.cyclic.get(c).copied().unwrap_or(true) => put(&mut out, v, set),
            Some(nodes) => {
                for &v in nodes {
                    put(
                        &mut out,
                        v,
                        set.iter().copied().filter(|x| *x != v).collect(),
                    );
                }
            }
            None => {}
        }
    }
    out
}

/// The shortest cycle through `start` (breadth-first, edges in their listed
/// order, the first found), walking only nodes `within` allows: per edge of
/// the cycle, its source and the index of the edge in the source's list,
/// from `start` round to the edge back to it.
pub fn shortest_cycle(
    adj: &[Vec<usize>],
    start: usize,
    within: impl Fn(usize) -> bool,
) -> Option<Vec<(usize, usize)>> {
    // Per node reached, the node and edge that reached it first.
    let mut via: std::collections::HashMap<usize, (usize, usize)> =
        std::collections::HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut back = None;
    'walk: while let Some(x) = queue.pop_front() {
        for (e, &y) in out(adj, x).iter().enumerate() {
            if y == start {
                back = Some((x, e));
                break 'walk;
            }
            if within(y) && !via.contains_key(&y) {
                via.insert(y, (x, e));
                queue.push_back(y);
            }
        }
    }
    let (last, edge) = back?;
    let mut cycle = vec![(last, edge)];
    let mut at = last;
    while at != start && cycle.len() <= adj.len() {
        let Some(&(from, e)) = via.get(&at) else {
            break;
        };
        cycle.push((from, e));
        at = from;
    }
    cycle.reverse();
    Some(cycle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(n: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
        let mut adj = vec![Vec::new(); n];
        for (a, b) in edges {
            adj[*a].push(*b);
        }
        adj
    }

    /// An exception diamond: nodes 2i and 2i+1 both point at 2i+2 and 2i+3.
    fn diamond(levels: usize) -> Vec<Vec<usize>> {
        let mut edges = Vec::new();
        for i in 0..levels - 1 {
            for a in [2 * i, 2 * i + 1] {
                edges.push((a, 2 * i + 2));
                edges.push((a, 2 * i + 3));
            }
        }
        graph(2 * levels, &edges)
    }

    #[test]
    fn components_find_cycles_and_order_successors_first() {
        let adj = graph(5, &[(0, 1), (1, 2), (2, 1), (3, 3), (4, 0)]);
        let c = components(&adj);
        assert!(c.same(1, 2) && !c.same(0, 1));
        assert!(c.on_cycle(1) && c.on_cycle(2) && c.on_cycle(3));
        assert!(!c.on_cycle(0) && !c.on_cycle(4));
        for (u, ws) in adj.iter().enumerate() {
            for &w in ws {
                assert!(c.of[w] <= c.of[u]);
            }
        }
        assert_eq!(c.members[c.of[1]], vec![1, 2]);
    }

    #[test]
    fn depth_first_orders_dependencies_first_and_reports_each_cycle_once() {
        let adj = graph(4, &[(0, 1), (1, 2), (3, 0)]);
        let (order, cycles) = depth_first(&adj);
        assert_eq!(order, vec![2, 1, 0, 3]);
        assert!(cycles.is_empty());
        // 0 → 1 → 2 → 0 and 1 → 2 → 1 share nodes: only the first is reported.
        let adj = graph(4, &[(0, 1), (1, 2), (2, 0), (2, 1), (3, 3)]);
        let (order, cycles) = depth_first(&adj);
        assert_eq!(order.len(), 4);
        assert_eq!(cycles, vec![vec![0, 1, 2], vec![3]]);
    }

    #[test]
    fn longest_paths_are_memoised_and_unbounded_past_a_cycle() {
        let adj = diamond(200);
        let d = longest_paths(&adj);
        assert_eq!(d[0], Some(199));
        assert_eq!(d[399], Some(0));
        let adj = graph(4, &[(0, 1), (1, 2), (2, 1), (3, 0)]);
        assert_eq!(longest_paths(&adj), vec![None, None, None, None]);
        let adj = graph(3, &[(0, 1)]);
        assert_eq!(longest_paths(&adj), vec![Some(1), Some(0), Some(0)]);
    }

    #[test]
    fn descendants_leave_the_node_out_even_on_a_cycle() {
        let adj = graph(5, &[(0, 1), (1, 2), (2, 1), (3, 4)]);
        let d = descendants(&adj);
        assert_eq!(d, vec![vec![1, 2], vec![2], vec![1], vec![4], vec![]]);
        let adj = diamond(100);
        let d = descendants(&adj);
        assert_eq!(d[0], (2..200).collect::<Vec<_>>());
        assert_eq!(d[197], vec![198, 199]);
    }

    #[test]
    fn walks_deep_graphs_without_recursion() {
        let n = 200_000;
        let adj: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { Vec::new() })
            .collect();
        assert_eq!(longest_paths(&adj)[0], Some(n - 1));
        let (order, cycles) = depth_first(&adj);
        assert_eq!(order.first(), Some(&(n - 1)));
        assert!(cycles.is_empty());
        assert_eq!(components(&adj).members.len(), n);
    }

    #[test]
    fn shortest_cycle_takes_the_first_shortest_way_back() {
        let adj = graph(4, &[(0, 1), (0, 2), (1, 3), (2, 0), (3, 0)]);
        assert_eq!(
            shortest_cycle(&adj, 0, |_| true),
            Some(vec![(0, 1), (2, 0)])
        );
        assert_eq!(
            shortest_cycle(&adj, 0, |v| v != 2),
            Some(vec![(0, 0), (1, 0), (3, 0)])
        );
        let adj = graph(2, &[(0, 1)]);
        assert_eq!(shortest_cycle(&adj, 0, |_| true), None);
    }

    /// Small graphs from a fixed pseudo-random sequence, with and without cycles.
    fn graphs() -> Vec<Vec<Vec<usize>>> {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % m) as usize
        };
        (0..300)
            .map(|k| {
                let n = 1 + next(10);
                let edges = next(3 * n as u64 + 1);
                let mut adj = vec![Vec::new(); n];
                for _ in 0..edges {
                    let (a, b) = (next(n as u64), next(n as u64));
                    // Every other graph acyclic: edges only to higher nodes.
                    if k % 2 == 0 && a >= b {
                        continue;
                    }
                    adj[a].push(b);
                }
                adj
            })
            .collect()
    }

    /// Reachability by one edge or more, the plain way.
    fn reach(adj: &[Vec<usize>], from: usize) -> Vec<bool> {
        let mut seen = vec![false; adj.len()];
        let mut stack: Vec<usize> = adj[from].clone();
        while let Some(x) = stack.pop() {
            if !seen[x] {
                seen[x] = true;
                stack.extend(adj[x].iter().copied());
            }
        }
        seen
    }

    #[test]
    fn walks_agree_with_plain_reachability() {
        for adj in graphs() {
            let n = adj.len();
            let r: Vec<Vec<bool>> = (0..n).map(|v| reach(&adj, v)).collect();
            let c = components(&adj);
            let d = descendants(&adj);
            let depth = longest_paths(&adj);
            for v in 0..n {
                assert_eq!(c.on_cycle(v), r[v][v], "{adj:?}");
                let want: Vec<usize> = (0..n).filter(|w| *w != v && r[v][*w]).collect();
                assert_eq!(d[v], want, "{adj:?}");
                let reaches_cycle = (0..n).any(|w| (w == v || r[v][w]) && r[w][w]);
                assert_eq!(depth[v].is_none(), reaches_cycle, "{adj:?}");
                for (w, rw) in r.iter().enumerate() {
                    assert_eq!(c.same(v, w), v == w || (r[v][w] && rw[v]), "{adj:?}");
                }
                if let Some(dv) = depth[v] {
                    // As deep as its deepest successor plus one.
                    let below = adj[v].iter().filter_map(|w| depth[*w]).max();
                    assert_eq!(dv, below.map_or(0, |b| b + 1), "{adj:?}");
                }
                match shortest_cycle(&adj, v, |_| true) {
                    Some(cycle) => {
                        assert!(r[v][v]);
                        // A closed walk from v along listed edges.
                        let mut at = v;
                        for (from, e) in &cycle {
                            assert_eq!(*from, at);
                            at = adj[*from][*e];
                        }
                        assert_eq!(at, v);
                    }
                    None => assert!(!r[v][v]),
                }
            }
            let (order, cycles) = depth_first(&adj);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>());
            if cycles.is_empty() {
                // Dependencies first.
                let pos: Vec<usize> = {
                    let mut p = vec![0; n];
                    for (i, v) in order.iter().enumerate() {
                        p[*v] = i;
                    }
                    p
                };
                for (v, ws) in adj.iter().enumerate() {
                    for w in ws {
                        assert!(pos[*w] < pos[v], "{adj:?}");
                    }
                }
            }
            assert_eq!(cycles.is_empty(), !(0..n).any(|v| r[v][v]), "{adj:?}");
        }
    }
}
