@testable import neurodyn
import RunOutput
import Testing

/// The shard a sweep runs when --shard-index/--shard-count are not given: Slurm's array task,
/// then Open MPI's rank, else the whole sweep; explicit options win.
@Suite struct ShardEnvironmentTests {
    @Test func environmentGivesTheDefaultsAndOptionsWin() throws {
        #expect(try ShardOptions.shard(index: nil, count: nil, environment: [:]) == Shard(index: 0, count: 1))
        #expect(try ShardOptions.shard(index: nil, count: nil, environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"])
                == Shard(index: 3, count: 4))
        #expect(try ShardOptions.shard(index: nil, count: nil, environment: ["OMPI_COMM_WORLD_RANK": "1", "OMPI_COMM_WORLD_SIZE": "2"])
                == Shard(index: 1, count: 2))
        // A resubmission of shard 5 alone: the array has one task, the count comes from the option.
        #expect(try ShardOptions.shard(index: nil, count: 8, environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "1"])
                == Shard(index: 5, count: 8))
        #expect(throws: ShardError.self) { try ShardOptions.shard(index: 4, count: 4, environment: [:]) }
        #expect(throws: ShardError.self) { try ShardOptions.shard(index: nil, count: nil, environment: ["SLURM_ARRAY_TASK_ID": "x"]) }
    }
}
