use std::path::Path;
use std::ptr::{self, NonNull};

use speech2face_sys as sys;

use crate::error::{c_path, check, check_with, text, Error, Result};

/// Similarity or distance of an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Cosine,
    InnerProduct,
    L2,
    L1,
}

/// How gallery vectors are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    F32,
    F16,
    Int8,
}

/// Formats of FaceIndex::export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Fvecs,
    Npy,
}

impl Metric {
    fn raw(self) -> sys::s2f_metric {
        match self {
            Metric::Cosine => sys::S2F_METRIC_COSINE,
            Metric::InnerProduct => sys::S2F_METRIC_INNER_PRODUCT,
            Metric::L2 => sys::S2F_METRIC_L2,
            Metric::L1 => sys::S2F_METRIC_L1,
        }
    }
}

/// Top-k results, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    pub ids: Vec<i64>,
    pub scores: Vec<f32>,
}

/// Exact top-k index over face features. Searches run concurrently (`&self`, `Sync`); add and
/// remove take `&mut self`.
pub struct FaceIndex {
    ptr: NonNull<sys::s2f_face_index>,
}

// SAFETY: the C index holds a rwlock: concurrent searches, exclusive writers (which `&mut`
// already guarantees here).
unsafe impl Send for FaceIndex {}
unsafe impl Sync for FaceIndex {}

impl FaceIndex {
    /// An empty index of `dim`-dimensional vectors; `threads` 0 = all cores.
    pub fn new(dim: usize, metric: Metric, storage: Storage, threads: usize) -> Result<FaceIndex> {
        let mut params: sys::s2f_face_index_params = unsafe { std::mem::zeroed() };
        check(unsafe {
            sys::s2f_face_index_default_params_sized(&mut params, std::mem::size_of::<sys::s2f_face_index_params>())
        })?;
        params.dim = dim;
        params.metric = metric.raw();
        params.storage = match storage {
            Storage::F32 => sys::S2F_STORAGE_F32,
            Storage::F16 => sys::S2F_STORAGE_F16,
            Storage::Int8 => sys::S2F_STORAGE_INT8,
        };
        params.threads = threads;
        let mut out = ptr::null_mut();
        check(unsafe { sys::s2f_face_index_create(&params, &mut out) })?;
        Ok(FaceIndex { ptr: NonNull::new(out).expect("s2f_face_index_create returned NULL") })
    }

    /// Loads an index written by save() (validated; an Error for a damaged file).
    pub fn load<P: AsRef<Path>>(path: P) -> Result<FaceIndex> {
        let path = c_path(path.as_ref())?;
        let mut out = ptr::null_mut();
        check(unsafe { sys::s2f_face_index_load(path.as_ptr(), &mut out) })?;
        Ok(FaceIndex { ptr: NonNull::new(out).expect("s2f_face_index_load returned NULL") })
    }

    pub(crate) fn as_ptr(&self) -> *const sys::s2f_face_index {
        self.ptr.as_ptr()
    }

    fn check(&self, status: sys::s2f_status) -> Result<()> {
        check_with(status, || text(unsafe { sys::s2f_face_index_last_error(self.ptr.as_ptr()) }))
    }

    pub fn dim(&self) -> usize {
        unsafe { sys::s2f_face_index_dim(self.ptr.as_ptr()) }
    }

    pub fn len(&self) -> usize {
        unsafe { sys::s2f_face_index_size(self.ptr.as_ptr()) }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `ids.len()` vectors (row-major, ids.len() × dim); all or nothing.
    pub fn add(&mut self, ids: &[i64], vectors: &[f32]) -> Result<()> {
        if vectors.len() != ids.len() * self.dim() {
            return Err(Error::invalid(format!("{} floats are not {} vectors of {}", vectors.len(), ids.len(), self.dim())));
        }
        self.check(unsafe { sys::s2f_face_index_add(self.ptr.as_ptr(), ids.as_ptr(), vectors.as_ptr(), ids.len()) })
    }

    pub fn remove(&mut self, id: i64) -> Result<()> {
        self.check(unsafe { sys::s2f_face_index_remove(self.ptr.as_ptr(), id) })
    }

    /// Top-k of one query.
    pub fn search(&self, query: &[f32], k: usize) -> Result<Hits> {
        if query.len() != self.dim() || k == 0 {
            return Err(Error::invalid(format!("query of {} floats (index: {}), k = {}", query.len(), self.dim(), k)));
        }
        let mut ids = vec![-1i64; k];
        let mut scores = vec![0f32; k];
        let mut found = 0usize;
        self.check(unsafe {
            sys::s2f_face_index_search(self.ptr.as_ptr(), query.as_ptr(), k, ids.as_mut_ptr(), scores.as_mut_ptr(), &mut found)
        })?;
        ids.truncate(found);
        scores.truncate(found);
        Ok(Hits { ids, scores })
    }

    /// Top-k of each of `queries.len() / dim` queries.
    pub fn search_batch(&self, queries: &[f32], k: usize) -> Result<Vec<Hits>> {
        let dim = self.dim();
        if dim == 0 || queries.len() % dim != 0 || k == 0 {
            return Err(Error::invalid(format!("{} floats are not queries of {}, or k = 0", queries.len(), dim)));
        }
        let nq = queries.len() / dim;
        let mut ids = vec![-1i64; nq * k];
        let mut scores = vec![0f32; nq * k];
        let mut found = vec![0usize; nq];
        self.check(unsafe {
            sys::s2f_face_index_search_batch(self.ptr.as_ptr(), queries.as_ptr(), nq, k, ids.as_mut_ptr(),
                                             scores.as_mut_ptr(), found.as_mut_ptr())
        })?;
        Ok((0..nq)
            .map(|q| Hits { ids: ids[q * k..q * k + found[q]].to_vec(), scores: scores[q * k..q * k + found[q]].to_vec() })
            .collect())
    }

    /// Saves atomically.
    pub fn save<P: AsRef<Path>>(&self, path: P) -> Result<()> {
        let path = c_path(path.as_ref())?;
        self.check(unsafe { sys::s2f_face_index_save(self.ptr.as_ptr(), path.as_ptr()) })
    }

    pub fn set_threads(&mut self, threads: usize) -> Result<()> {
        self.check(unsafe { sys::s2f_face_index_set_threads(self.ptr.as_ptr(), threads) })
    }

    /// Writes the vectors (fvecs or npy) and the ids (.npy int64).
    pub fn export<P: AsRef<Path>, Q: AsRef<Path>>(&self, vectors: P, ids: Q, format: ExportFormat) -> Result<()> {
        let (v, i) = (c_path(vectors.as_ref())?, c_path(ids.as_ref())?);
        let format = match format {
            ExportFormat::Fvecs => sys::S2F_EXPORT_FVECS,
            ExportFormat::Npy => sys::S2F_EXPORT_NPY,
        };
        self.check(unsafe { sys::s2f_face_index_export(self.ptr.as_ptr(), v.as_ptr(), i.as_ptr(), format) })
    }
}

impl Drop for FaceIndex {
    fn drop(&mut self) {
        unsafe { sys::s2f_face_index_free(self.ptr.as_ptr()) }
    }
}

/// Merges per-shard top-k lists into the global top-`k_out`.
pub fn topk_merge(metric: Metric, lists: &[Hits], k_out: usize) -> Result<Hits> {
    let k_in = lists.iter().map(|l| l.ids.len()).max().unwrap_or(0).max(1);
    let mut ids = vec![-1i64; lists.len() * k_in];
    let mut scores = vec![0f32; lists.len() * k_in];
    let mut found = Vec::with_capacity(lists.len());
    for (s, list) in lists.iter().enumerate() {
        if list.ids.len() != list.scores.len() {
            return Err(Error::invalid("a list has different numbers of ids and scores".into()));
        }
        ids[s * k_in..s * k_in + list.ids.len()].copy_from_slice(&list.ids);
        scores[s * k_in..s * k_in + list.ids.len()].copy_from_slice(&list.scores);
        found.push(list.ids.len());
    }
    let mut out_ids = vec![-1i64; k_out.max(1)];
    let mut out_scores = vec![0f32; k_out.max(1)];
    let mut out_found = 0usize;
    check(unsafe {
        sys::s2f_topk_merge(metric.raw(), lists.len(), k_in, ids.as_ptr(), scores.as_ptr(), found.as_ptr(), k_out,
                            out_ids.as_mut_ptr(), out_scores.as_mut_ptr(), &mut out_found)
    })?;
    out_ids.truncate(out_found);
    out_scores.truncate(out_found);
    Ok(Hits { ids: out_ids, scores: out_scores })
}
