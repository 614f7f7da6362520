//! Cluster numbers: building a 100-primary cluster, routing a million keys,
//! and the bus cost of PUBLISH vs SPUBLISH on 3-, 10- and 100-node clusters.

/// Cluster numbers: building a 100-primary cluster, routing a million keys
/// (slot hashing plus the MOVED check on a node that serves none of them),
/// and the bus cost of PUBLISH vs SPUBLISH for the same traffic.
pub fn run() {
    use redplay_core::cluster::bus::Kind;
    use redplay_core::cluster::slot::key_slot;
    use redplay_core::cluster::Cluster;
    use std::time::Instant;

    let key = |i: u64| format!("user:{}", i).into_bytes();
    println!();
    let started = Instant::now();
    let mut cluster = match Cluster::new(100, 0, 1, 0) {
        Ok(cluster) => cluster,
        Err(e) => {
            eprintln!("cluster bench: {:?}", e);
            return;
        }
    };
    println!("cluster: 100 primaries created in {:.1} ms", started.elapsed().as_secs_f64() * 1000.0);

    const KEYS: u64 = 1_000_000;
    let started = Instant::now();
    let mut per_node = vec![0u64; cluster.len()];
    for i in 0..KEYS {
        if let Some(owner) = cluster.topology().owner(key_slot(&key(i))) {
            per_node[owner] += 1;
        }
    }
    let hashing = started.elapsed().as_secs_f64();
    let (min, max) = (per_node.iter().min().copied().unwrap_or(0), per_node.iter().max().copied().unwrap_or(0));
    println!(
        "cluster: {} keys hashed to slots and owners in {:.0} ms ({:.1} M keys/s); keys per node {}..{}",
        KEYS,
        hashing * 1000.0,
        KEYS as f64 / hashing / 1e6,
        min,
        max
    );
    let Some(client) = cluster.connect(0, 0) else { return };
    let started = Instant::now();
    let mut moved = 0u64;
    for i in 0..KEYS {
        let k = key(i);
        let replies = cluster.call(0, client, &[b"GET", &k], 1);
        if matches!(replies.first(), Some(redplay_core::Reply::Error(e)) if e.starts_with(b"MOVED")) {
            moved += 1;
        }
    }
    let routing = started.elapsed().as_secs_f64();
    println!(
        "cluster: {} GETs routed on node 7000 in {:.0} ms ({:.0} ops/s), {} answered MOVED",
        KEYS,
        routing * 1000.0,
        KEYS as f64 / routing,
        moved
    );

    const MESSAGES: u64 = 10_000;
    println!("{:<10} {:>16} {:>16} {:>16} {:>16}", "nodes", "PUBLISH bus msgs", "SPUBLISH bus msgs", "PUBLISH msg/s", "SPUBLISH msg/s");
    for (primaries, replicas) in [(3, 0), (5, 1), (50, 1)] {
        let Ok(mut cluster) = Cluster::new(primaries, replicas, 1, 0) else { continue };
        let nodes = cluster.len();
        let channel = b"news";
        let owner = cluster.owner_of_key(channel).unwrap_or(0);
        let Some(client) = cluster.connect(owner, 0) else { continue };
        let mut rates = [0.0f64; 2];
        let mut counts = [0u64; 2];
        for (slot, (command, kind)) in [(&b"PUBLISH"[..], Kind::Publish), (&b"SPUBLISH"[..], Kind::PublishShard)].into_iter().enumerate() {
            cluster.reset_bus();
            let started = Instant::now();
            for _ in 0..MESSAGES {
                cluster.call(owner, client, &[command, channel, b"hello"], 1);
            }
            rates[slot] = MESSAGES as f64 / started.elapsed().as_secs_f64();
            counts[slot] = cluster.bus().total(kind).messages;
        }
        println!(
            "{:<10} {:>16} {:>16} {:>16.0} {:>16.0}",
            format!("{} ({}+{}r)", nodes, primaries, primaries * replicas),
            counts[0],
            counts[1],
            rates[0],
            rates[1]
        );
    }
    println!("(bus messages for {} publishes each; SPUBLISH stays inside the channel's shard)", MESSAGES);
}
