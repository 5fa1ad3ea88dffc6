package io.sparkvae.spark.train;

import ai.djl.Device;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/** The device of the running Spark task: the GPU Spark assigned to it, else the CPU. */
public final class TaskDevice {
  private TaskDevice() {}

  /**
   * The task's first assigned GPU ({@code spark.task.resource.gpu.amount}), or CPU. On the first
   * call in a JVM it also sizes PyTorch's intra-op thread pool to {@code spark.task.cpus}, unless
   * {@code ai.djl.pytorch.num_threads} was set explicitly: the engine reads it once, when it
   * starts.
   */
  public static Device current() {
    TaskContext tc = TaskContext.get();
    if (tc != null && System.getProperty("ai.djl.pytorch.num_threads") == null) {
      synchronized (TaskDevice.class) {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
          System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(Math.max(1, tc.cpus())));
        }
      }
    }
    if (tc == null) {
      return Device.cpu();
    }
    scala.Option<ResourceInformation> gpu = tc.resources().get("gpu");
    if (gpu.isDefined() && gpu.get().addresses().length > 0) {
      return Device.gpu(Integer.parseInt(gpu.get().addresses()[0].trim()));
    }
    return Device.cpu();
  }
}
