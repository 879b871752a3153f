//! Reference data every task view reads — task types, task statuses,
//! entity types — cached for a moment.
//!
//! These tables are small and rarely written, but a task view needed three
//! queries for them on every request. Writes through this replica clear the
//! cache at once; another replica's writes show here within `TTL`, which is
//! the staleness Fennec accepts for names and colours (a task referring to
//! a type the cache does not know yet still loads, with empty names).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::rows::{self, Row, Select};
use uuid::Uuid;

use crate::error::ApiResult;
use crate::present::{id_of, EntityTypes};

const TTL: Duration = Duration::from_secs(2);

pub struct RefData {
    pub task_types: HashMap<Uuid, Row>,
    pub statuses: HashMap<Uuid, Row>,
    pub entity_types: EntityTypes,
    /// The entity types' whole rows (a task's `/full` nests its entity's).
    pub entity_type_rows: HashMap<Uuid, Row>,
}

impl RefData {
    pub async fn load(exec: &mut impl Exec) -> ApiResult<RefData> {
        let all = Select::default();
        let tt = rows::list(exec, &models::TASK_TYPE, &all, false).await?;
        let ts = rows::list(exec, &models::TASK_STATUS, &all, false).await?;
        let et = rows::list(exec, &models::ENTITY_TYPE, &all, false).await?;
        Ok(RefData {
            task_types: tt.into_iter().map(|r| (id_of(&r), r)).collect(),
            statuses: ts.into_iter().map(|r| (id_of(&r), r)).collect(),
            entity_types: EntityTypes::load(exec).await?,
            entity_type_rows: et.into_iter().map(|r| (id_of(&r), r)).collect(),
        })
    }
}

#[derive(Default)]
pub struct RefCache {
    slot: RwLock<Option<(Instant, Arc<RefData>)>>,
}

impl RefCache {
    /// The cached data, reloaded when older than `TTL` or invalidated.
    pub async fn get(&self, exec: &mut impl Exec) -> ApiResult<Arc<RefData>> {
        if let Ok(slot) = self.slot.read() {
            if let Some((at, data)) = slot.as_ref() {
                if at.elapsed() < TTL {
                    return Ok(data.clone());
                }
            }
        }
        let fresh = Arc::new(RefData::load(exec).await?);
        if let Ok(mut slot) = self.slot.write() {
            *slot = Some((Instant::now(), fresh.clone()));
        }
        Ok(fresh)
    }

    /// Forgets the data after a write to one of its tables.
    pub fn invalidate(&self) {
        if let Ok(mut slot) = self.slot.write() {
            *slot = None;
        }
    }
}
