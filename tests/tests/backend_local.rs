//! The engine interface's local backend over a real state root: images, networks and
//! volumes through `Backend`, answering in Docker's models and error kinds.
//!
//! Containers are started with the binary (this test process is no container monitor,
//! nor a DNS server); everything asked of the backend is checked against what the
//! binary or the container then sees. `Berth`'s guard removes containers, networks and
//! the state root even when an assertion fails.

use std::collections::HashMap;

use berth::backend::local::{LocalBackend, Threads};
use berth::backend::{once_bytes, Backend, BackendError, ErrorKind};
use berth_engine::store::Paths;
use berth_engine::{Config, Engine};
use berth_tests::Berth;
use bollard::models as m;
use bollard::query_parameters as q;
use bytes::Bytes;
use futures_util::TryStreamExt;

fn backend(b: &Berth) -> LocalBackend {
    let config = Config {
        cgroup_parent: b.cgroup_parent.clone(),
        ..Config::from_env()
            .expect("settings")
            .with_paths(&Paths::new(&b.root, &b.run_root))
    };
    let e = Engine::open_with(config).expect("open the state root");
    LocalBackend::new(e, Threads::Pool)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn filters(pairs: &[(&str, &str)]) -> Option<HashMap<String, Vec<String>>> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in pairs {
        m.entry(k.to_string()).or_default().push(v.to_string());
    }
    Some(m)
}

fn labels(pairs: &[(&str, &str)]) -> Option<HashMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

#[track_caller]
fn assert_kind<T: std::fmt::Debug>(r: Result<T, BackendError>, kind: ErrorKind, message: &str) {
    let e = r.expect_err("an error");
    assert_eq!(e.kind, kind, "{e}");
    assert!(
        e.message.starts_with(message),
        "{:?} does not start with {message:?}",
        e.message
    );
}

fn images_filtered(pairs: &[(&str, &str)]) -> q::ListImagesOptions {
    q::ListImagesOptions {
        filters: filters(pairs),
        ..Default::default()
    }
}

#[test]
fn images_list_inspect_tag_history_and_remove_as_docker_answers() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let be = backend(&b);
    runtime().block_on(async {
        let list = be.image_list(Default::default()).await.unwrap();
        assert_eq!(list.len(), 1);
        let img = list[0].clone();
        assert!(img.id.starts_with("sha256:"), "{}", img.id);
        assert_eq!(img.repo_tags, vec!["busybox:latest".to_string()]);
        // Counted only by `system df`, as Docker's daemon does.
        assert_eq!((img.containers, img.shared_size), (-1, -1));
        assert!(img.size > 0 && img.created > 0, "{img:?}");

        let inspected = be.image_inspect("busybox").await.unwrap();
        assert_eq!(inspected.id.as_deref(), Some(img.id.as_str()));
        assert_eq!(inspected.size, Some(img.size));
        assert_eq!(
            inspected.root_fs.and_then(|r| r.layers).map(|l| l.len()),
            Some(1)
        );
        assert_kind(
            be.image_inspect("nosuch").await,
            ErrorKind::NotFound,
            "No such image: nosuch",
        );

        be.image_tag("busybox", "mybox", "v1").await.unwrap();
        let tags = be.image_inspect(&img.id).await.unwrap().repo_tags;
        assert_eq!(
            tags,
            Some(vec!["busybox:latest".to_string(), "mybox:v1".to_string()])
        );
        let only = be
            .image_list(images_filtered(&[("reference", "mybox")]))
            .await
            .unwrap();
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].repo_tags, vec!["mybox:v1".to_string()]);
        let dangling = be
            .image_list(images_filtered(&[("dangling", "true")]))
            .await
            .unwrap();
        assert!(dangling.is_empty(), "{dangling:?}");
        assert_kind(
            be.image_list(images_filtered(&[("colour", "red")])).await,
            ErrorKind::InvalidArgument,
            "invalid filter 'colour'",
        );
        assert_kind(
            be.image_tag("nosuch", "x", "").await,
            ErrorKind::NotFound,
            "No such image: nosuch",
        );

        let history = be.image_history("mybox:v1").await.unwrap();
        let top = history.first().expect("a history entry");
        assert_eq!(top.id, img.id);
        assert_eq!(top.tags.len(), 2, "{top:?}");
        assert!(history[1..].iter().all(|h| h.id == "<missing>"));

        // A container using the image: its last tag goes only by force.
        let c = b.ok(&["create", "busybox", "true"]);
        let df = be.df().await.unwrap().image_usage.unwrap();
        assert_eq!(df.active_count, Some(1));
        assert_eq!(df.items.unwrap()[0]["Containers"], 1);
        let untag = be.image_remove("busybox", false, false).await.unwrap();
        assert_eq!(untag.len(), 1);
        assert_eq!(untag[0].untagged.as_deref(), Some("busybox:latest"));
        assert_kind(
            be.image_remove("mybox:v1", false, false).await,
            ErrorKind::Conflict,
            "conflict: unable to remove repository reference \"mybox:v1\" (must force) - container ",
        );
        b.ok(&["rm", &c]);
        let gone = be.image_remove("mybox:v1", false, false).await.unwrap();
        assert_eq!(gone[0].untagged.as_deref(), Some("mybox:v1"));
        assert_eq!(gone[1].deleted.as_deref(), Some(img.id.as_str()));
        assert!(be.image_list(Default::default()).await.unwrap().is_empty());
    });
}

async fn collect(s: berth::backend::ByteStream) -> Result<Vec<u8>, BackendError> {
    let chunks: Vec<Bytes> = s.try_collect().await?;
    Ok(chunks.concat())
}

#[test]
fn save_load_import_commit_and_prune_move_images_in_and_out() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let be = backend(&b);
    let rootfs = b.dir.path().join("rootfs.tar");
    b.ok(&["demo", "--rootfs", rootfs.to_str().unwrap()]);
    b.ok(&[
        "run",
        "--name",
        "writer",
        "busybox",
        "sh",
        "-c",
        "echo committed > /hello",
    ]);
    runtime().block_on(async {
        let id = be.image_inspect("busybox").await.unwrap().id.unwrap();
        let tar = collect(be.image_save(vec!["busybox".into()]).await.unwrap())
            .await
            .unwrap();
        let names: Vec<String> = tar::Archive::new(tar.as_slice())
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert!(names.iter().any(|n| n == "manifest.json"), "{names:?}");
        assert_kind(
            collect(be.image_save(vec!["nosuch".into()]).await.unwrap()).await,
            ErrorKind::NotFound,
            "No such image: nosuch",
        );

        // The image goes, and comes back from the archive.
        b.ok(&["rm", "writer"]);
        be.image_remove("busybox", false, false).await.unwrap();
        assert_kind(
            be.image_inspect("busybox").await,
            ErrorKind::NotFound,
            "No such image",
        );
        let report = be.image_load(once_bytes(Bytes::from(tar))).await.unwrap();
        assert_eq!(
            report.loaded,
            vec!["Loaded image: busybox:latest".to_string()]
        );
        assert_eq!(be.image_inspect("busybox").await.unwrap().id, Some(id));

        let data = Bytes::from(std::fs::read(&rootfs).unwrap());
        let imported = be
            .image_import(
                once_bytes(data.clone()),
                Some("imported:v1".into()),
                vec!["CMD [\"sh\"]".into(), "ENV MODE=test".into()],
                Some("from the test".into()),
            )
            .await
            .unwrap();
        assert!(imported.starts_with("sha256:"), "{imported}");
        let i = be.image_inspect("imported:v1").await.unwrap();
        assert_eq!(i.id.as_deref(), Some(imported.as_str()));
        assert_eq!(i.comment.as_deref(), Some("from the test"));
        let cfg = i.config.unwrap();
        assert_eq!(cfg.cmd, Some(vec!["sh".to_string()]));
        assert!(cfg.env.unwrap().contains(&"MODE=test".to_string()));
        assert_kind(
            be.image_import(
                once_bytes(Bytes::from_static(b"not a tar")),
                None,
                vec![],
                None,
            )
            .await,
            ErrorKind::InvalidArgument,
            "-: ",
        );

        b.ok(&[
            "run",
            "--name",
            "writer",
            "busybox",
            "sh",
            "-c",
            "echo committed > /hello",
        ]);
        let committed = be
            .image_commit(
                "writer",
                q::CommitContainerOptions {
                    repo: Some("committed".into()),
                    tag: Some("v1".into()),
                    comment: Some("a message".into()),
                    author: Some("tester".into()),
                    pause: true,
                    changes: Some("ENV A=1".into()),
                    ..Default::default()
                },
                m::ContainerConfig {
                    cmd: Some(vec!["cat".into(), "/hello".into()]),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let c = be.image_inspect("committed:v1").await.unwrap();
        assert_eq!(c.id, Some(committed.id));
        assert_eq!(c.author.as_deref(), Some("tester"));
        assert_eq!(c.comment.as_deref(), Some("a message"));
        assert!(c.config.unwrap().env.unwrap().contains(&"A=1".to_string()));
        assert_kind(
            be.image_commit("nosuch", Default::default(), Default::default())
                .await,
            ErrorKind::NotFound,
            "No such container: nosuch",
        );

        // An untagged import is dangling: the default prune takes it and no tagged one.
        let dangling = be
            .image_import(once_bytes(data), None, vec![], None)
            .await
            .unwrap();
        let listed = be
            .image_list(images_filtered(&[("dangling", "true")]))
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, dangling);
        let pruned = be.image_prune(Default::default()).await.unwrap();
        let deleted: Vec<String> = pruned
            .images_deleted
            .unwrap()
            .into_iter()
            .filter_map(|d| d.deleted)
            .collect();
        assert_eq!(deleted, vec![dangling]);
        assert!(pruned.space_reclaimed.unwrap() >= 0);
        assert_eq!(be.image_list(Default::default()).await.unwrap().len(), 3);
    });
    // What the commit made runs as configured.
    assert_eq!(b.ok(&["run", "--rm", "committed:v1"]), "committed");
}

#[test]
fn networks_are_created_joined_left_and_removed_through_the_backend() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let be = backend(&b);
    let subnet = b.user_subnet(0);
    let rt = runtime();
    let id = rt.block_on(async {
        let req = m::NetworkCreateRequest {
            name: "apinet".into(),
            driver: Some("bridge".into()),
            labels: labels(&[("team", "a")]),
            ipam: Some(m::Ipam {
                config: Some(vec![m::IpamConfig {
                    subnet: Some(subnet.clone()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let made = be.network_create(req.clone()).await.unwrap();
        assert_eq!((made.id.len(), made.warning.as_str()), (64, ""));
        assert_kind(
            be.network_create(req).await,
            ErrorKind::Conflict,
            "network with name apinet already exists",
        );
        let all = be.network_list(Default::default()).await.unwrap();
        let mut names: Vec<String> = all.iter().filter_map(|n| n.name.clone()).collect();
        names.sort();
        assert_eq!(names, ["apinet", "bridge", "host", "none"]);
        let custom = be
            .network_list(q::ListNetworksOptions {
                filters: filters(&[("type", "custom"), ("label", "team=a")]),
            })
            .await
            .unwrap();
        assert_eq!(custom.len(), 1);
        let n = &custom[0];
        assert_eq!(n.id.as_deref(), Some(made.id.as_str()));
        let cfg = n.ipam.clone().unwrap().config.unwrap();
        assert_eq!(cfg[0].subnet.as_deref(), Some(subnet.as_str()));
        assert_kind(
            be.network_list(q::ListNetworksOptions {
                filters: filters(&[("type", "odd")]),
            })
            .await,
            ErrorKind::InvalidArgument,
            "invalid filter: 'type'='odd'",
        );
        assert_kind(
            be.network_inspect("nosuch").await,
            ErrorKind::NotFound,
            "network nosuch not found",
        );
        assert_eq!(
            be.network_inspect("host").await.unwrap().driver.as_deref(),
            Some("host")
        );
        made.id
    });

    // A container on the network (its DNS server runs from the binary), one on the
    // default bridge to connect, and one that was never started.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "holder",
        "--network",
        "apinet",
        "busybox",
        "sleep",
        "300",
    ]);
    b.ok(&["run", "-d", "--name", "web", "busybox", "sleep", "300"]);
    b.ok(&["create", "--name", "idle", "busybox", "true"]);
    let ip = rt.block_on(async {
        let join = |c: &str| m::NetworkConnectRequest {
            container: c.into(),
            endpoint_config: Some(m::EndpointSettings {
                aliases: Some(vec!["webalias".into()]),
                ..Default::default()
            }),
        };
        be.network_connect("apinet", join("web")).await.unwrap();
        be.network_connect("apinet", join("idle")).await.unwrap();
        assert_kind(
            be.network_connect("apinet", join("nosuch")).await,
            ErrorKind::NotFound,
            "No such container: nosuch",
        );
        assert_kind(
            be.network_connect("nonet", join("web")).await,
            ErrorKind::NotFound,
            "network nonet not found",
        );
        let idle = be.container_inspect("idle", false).await.unwrap();
        let nets = idle.network_settings.unwrap().networks.unwrap();
        assert!(nets.contains_key("apinet"), "{nets:?}");
        let web = be.container_inspect("web", false).await.unwrap();
        let nets = web.network_settings.unwrap().networks.unwrap();
        let ep = nets.get("apinet").expect("web is on apinet");
        let ip = ep.ip_address.clone().unwrap_or_default();
        assert!(!ip.is_empty(), "{ep:?}");
        let eps = be
            .engine()
            .networks()
            .endpoints(&be.engine().networks().get(&id).unwrap())
            .unwrap();
        assert_eq!(eps.len(), 2, "holder and web are attached: {eps:?}");
        assert_kind(
            be.network_remove("apinet").await,
            ErrorKind::Conflict,
            &format!("error while removing network: network apinet id {id} has active endpoints"),
        );
        ip
    });
    let addrs = b.ok(&["exec", "web", "ip", "-4", "addr"]);
    assert!(addrs.contains(&ip), "{ip} not in {addrs}");

    rt.block_on(async {
        let leave = |c: &str| m::NetworkDisconnectRequest {
            container: c.into(),
            force: Some(false),
        };
        be.network_disconnect("apinet", leave("web")).await.unwrap();
        be.network_disconnect("apinet", leave("idle"))
            .await
            .unwrap();
        assert_kind(
            be.network_disconnect("apinet", leave("web")).await,
            ErrorKind::Conflict,
            "container ",
        );
    });
    let addrs = b.ok(&["exec", "web", "ip", "-4", "addr"]);
    assert!(!addrs.contains(&ip), "{ip} still in {addrs}");
    b.ok(&["rm", "-f", "holder", "web", "idle"]);

    rt.block_on(async {
        be.network_remove(&id).await.unwrap();
        assert_kind(
            be.network_inspect(&id).await,
            ErrorKind::NotFound,
            "network ",
        );
        assert_kind(
            be.network_remove("bridge").await,
            ErrorKind::Conflict,
            "bridge is a pre-defined network and cannot be removed",
        );
        let spare = m::NetworkCreateRequest {
            name: "spare".into(),
            labels: labels(&[("keep", "no")]),
            ipam: Some(m::Ipam {
                config: Some(vec![m::IpamConfig {
                    subnet: Some(b.user_subnet(1)),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        be.network_create(spare).await.unwrap();
        let none = be
            .network_prune(q::PruneNetworksOptions {
                filters: filters(&[("label", "keep=yes")]),
            })
            .await
            .unwrap();
        assert_eq!(none.networks_deleted, Some(vec![]));
        let pruned = be.network_prune(Default::default()).await.unwrap();
        assert_eq!(pruned.networks_deleted, Some(vec!["spare".to_string()]));
    });
}

#[test]
fn volumes_are_created_listed_with_usage_removed_and_pruned() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let be = backend(&b);
    let rt = runtime();
    let anon = rt.block_on(async {
        let data = be
            .volume_create(m::VolumeCreateRequest {
                name: Some("data".into()),
                labels: labels(&[("k", "v")]),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            (data.name.as_str(), data.driver.as_str()),
            ("data", "local")
        );
        assert_eq!(data.scope, Some(m::VolumeScopeEnum::LOCAL));
        std::fs::write(
            std::path::Path::new(&data.mountpoint).join("blob"),
            vec![7u8; 4096],
        )
        .unwrap();
        let anon = be.volume_create(Default::default()).await.unwrap();
        assert_eq!(anon.name.len(), 64, "{}", anon.name);
        be.volume_create(m::VolumeCreateRequest {
            name: Some("keep".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!(
            be.volume_inspect("data").await.unwrap().labels.get("k"),
            Some(&"v".to_string())
        );
        assert_kind(
            be.volume_inspect("nosuch").await,
            ErrorKind::NotFound,
            "get nosuch: no such volume",
        );
        assert_kind(
            be.volume_create(m::VolumeCreateRequest {
                driver: Some("nfs".into()),
                ..Default::default()
            })
            .await,
            ErrorKind::NotFound,
            "error looking up volume plugin nfs",
        );
        anon.name
    });

    b.ok(&[
        "create",
        "--name",
        "user",
        "-v",
        "data:/data",
        "busybox",
        "true",
    ]);
    rt.block_on(async {
        let list = |pairs: &'static [(&'static str, &'static str)]| {
            be.volume_list(q::ListVolumesOptions {
                filters: filters(pairs),
            })
        };
        let all = list(&[]).await.unwrap();
        assert_eq!(all.warnings, Some(vec![]));
        let vols = all.volumes.unwrap();
        assert_eq!(vols.len(), 3);
        // Sizes and counts come only with `system df`, as Docker's daemon does it.
        assert!(vols.iter().all(|v| v.usage_data.is_none()));
        let df = be.df().await.unwrap().volume_usage.unwrap().items.unwrap();
        let data = df.iter().find(|v| v["Name"] == "data").unwrap();
        let usage: m::VolumeUsageData = serde_json::from_value(data["UsageData"].clone()).unwrap();
        assert!(usage.size >= 4096, "{usage:?}");
        assert_eq!(usage.ref_count, 1);
        let names = |r: m::VolumeListResponse| -> Vec<String> {
            r.volumes.unwrap().into_iter().map(|v| v.name).collect()
        };
        assert_eq!(names(list(&[("name", "dat")]).await.unwrap()), ["data"]);
        assert_eq!(names(list(&[("label", "k=v")]).await.unwrap()), ["data"]);
        assert_eq!(
            names(list(&[("dangling", "false")]).await.unwrap()),
            ["data"]
        );
        assert_eq!(
            list(&[("dangling", "true")])
                .await
                .unwrap()
                .volumes
                .unwrap()
                .len(),
            2
        );
        assert!(names(list(&[("driver", "other")]).await.unwrap()).is_empty());
        assert_kind(
            list(&[("colour", "red")]).await,
            ErrorKind::InvalidArgument,
            "invalid filter 'colour'",
        );
        let df = be.df().await.unwrap().volume_usage.unwrap();
        assert_eq!((df.total_count, df.active_count), (Some(3), Some(1)));

        for force in [false, true] {
            assert_kind(
                be.volume_remove("data", force).await,
                ErrorKind::Conflict,
                "remove data: volume is in use - [",
            );
        }
        be.volume_remove("nosuch", true).await.unwrap();
        assert_kind(
            be.volume_remove("nosuch", false).await,
            ErrorKind::NotFound,
            "get nosuch: no such volume",
        );

        // Anonymous volumes only, then every unused one; never one in use.
        let pruned = be.volume_prune(Default::default()).await.unwrap();
        assert_eq!(pruned.volumes_deleted, Some(vec![anon.clone()]));
        let pruned = be
            .volume_prune(q::PruneVolumesOptions {
                filters: filters(&[("all", "true")]),
            })
            .await
            .unwrap();
        assert_eq!(pruned.volumes_deleted, Some(vec!["keep".to_string()]));
        assert_eq!(names(list(&[]).await.unwrap()), ["data"]);
    });
    b.ok(&["rm", "user"]);
    rt.block_on(async {
        be.volume_remove("data", false).await.unwrap();
        assert!(be
            .volume_list(Default::default())
            .await
            .unwrap()
            .volumes
            .unwrap()
            .is_empty());
    });
}
